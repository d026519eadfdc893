import { readFileSync } from "node:fs";
import path from "node:path";
import { createRoute } from "@hono/zod-openapi";
import { createRequire } from "node:module";
import { z } from "zod";
import type { App } from "../app-env.js";

const Health = z.object({ status: z.literal("healthy"), service: z.literal("memcube"), version: z.string() });

const SWAGGER_ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
};

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>memcube API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui", presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout" });</script>
</body></html>`;

/** What a browser opened at the server's address finds: where to go (static: it names no user, key or data). */
const HOME_PAGE = (version: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>memcube</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}a{color:#2456c8}code{background:#f3f3f3;padding:0 .25em}</style></head>
<body>
<h1>memcube <small>${version}</small></h1>
<p>This is a memcube server: memory for LLM applications over the MemOS product API.</p>
<ul>
<li><a href="/playground">Playground</a>: add memories, search them and chat, in the browser</li>
<li><a href="/docs">API documentation</a> (Swagger UI; the OpenAPI document is <a href="/openapi.json">/openapi.json</a>)</li>
<li><a href="/health">/health</a>: whether the server is up</li>
</ul>
<p>Applications talk to <code>/product/*</code> (MemOS) or <code>/v1</code> (OpenAI-compatible chat).</p>
</body></html>`;

/** GET /, /health, /openapi.json and /docs (Swagger UI served from the npm package: works offline). */
export function metaRoutes(app: App, version: string): void {
  app.openAPIRegistry.registerPath(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["service"],
      summary: "Liveness",
      security: [],
      responses: { 200: { description: "The server is up", content: { "application/json": { schema: Health } } } },
    }),
  );
  // With MEMCUBE_API_KEYS every other route needs `Authorization: Bearer <key>` (Swagger UI: Authorize).
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "A key from MEMCUBE_API_KEYS (only when the server has keys; open mode needs none)",
  });
  app.get("/health", (c) => c.json({ status: "healthy" as const, service: "memcube" as const, version }));
  const home = HOME_PAGE(version);
  app.get("/", (c) => c.html(home));

  let document: unknown;
  app.get("/openapi.json", (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "memcube", version, description: "Memory for LLM applications, compatible with the MemOS product API." },
      security: [{ apiKey: [] }],
    });
    return c.json(document);
  });

  app.get("/docs", (c) => c.html(DOCS_PAGE));
  const assets = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  app.get("/docs/assets/:file", (c) => {
    const file = c.req.param("file");
    const type = SWAGGER_ASSETS[file];
    if (!type) return c.notFound();
    return c.body(readFileSync(path.join(assets, file)), 200, { "content-type": type, "cache-control": "public, max-age=86400" });
  });
}
