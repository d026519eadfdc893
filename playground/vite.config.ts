// Builds the playground into playground/dist, which is committed: `npm start` serves it with no build
// step, and test/api/playground.test.ts fails when it is older than these sources.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/playground/",
  // Preact's automatic JSX runtime, without a plugin (no Babel, no dev-only refresh machinery).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    assetsInlineLimit: 0,
  },
  server: { proxy: { "/product": "http://127.0.0.1:8001", "/health": "http://127.0.0.1:8001" } },
});
