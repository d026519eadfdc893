/**
 * `/playground`: the web page built from playground/ (Vite + Preact) into playground/dist, which is
 * committed, so serving it needs no build step. Only the files found in that folder at the first
 * request are served, by exact name: a request can never reach a file outside it.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Context } from "hono";
import type { App, AppEnv } from "../app-env.js";
import { errorResponse } from "../errors.js";

export const PLAYGROUND_DIST = fileURLToPath(new URL("../../../playground/dist", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

// The page talks only to this server; nothing inline runs, and it cannot be framed.
const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  cacheControl: string;
  headers: Record<string, string>;
}

function listFiles(root: string, folder = ""): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const relative = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listFiles(root, relative);
    return entry.isFile() ? [relative] : [];
  });
}

/** Every servable file of the build, keyed by its path under /playground/. */
function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const relative of listFiles(root)) {
    const type = CONTENT_TYPES[path.extname(relative).toLowerCase()];
    if (!type) continue;
    const body = new Uint8Array(readFileSync(path.join(root, relative)));
    // Vite names what it bundles by content hash (assets/index-<hash>.js): those never change.
    const cacheControl = relative.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    assets.set(relative, {
      body,
      etag,
      cacheControl,
      headers: {
        "content-type": type,
        "cache-control": cacheControl,
        etag,
        "x-content-type-options": "nosniff",
        ...(relative.endsWith(".html") && { "content-security-policy": PAGE_POLICY, "referrer-policy": "no-referrer" }),
      },
    });
  }
  return assets;
}

/** The page needs no key (it is static); it sends the key the user enters with each API call. */
export function playgroundRoutes(app: App, root = PLAYGROUND_DIST): void {
  let assets: Map<string, Asset> | undefined;
  const built = () => {
    if (!assets && statSync(path.join(root, "index.html"), { throwIfNoEntry: false })?.isFile()) assets = loadAssets(root);
    return assets;
  };

  const handler = (c: Context<AppEnv>) => {
    const files = built();
    if (!files) return errorResponse(c, 503, "the playground is not built: run npm run build:playground");
    const relative = c.req.path === "/playground" || c.req.path === "/playground/" ? "index.html" : c.req.path.slice("/playground/".length);
    const asset = files.get(relative);
    if (!asset) return errorResponse(c, 404, `no file ${c.req.path}`);
    if (c.req.header("if-none-match") === asset.etag) return c.body(null, 304, { etag: asset.etag, "cache-control": asset.cacheControl });
    return c.body(asset.body, 200, asset.headers);
  };
  app.get("/playground", handler);
  app.get("/playground/*", handler);
}
