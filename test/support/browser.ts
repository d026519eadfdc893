/**
 * Debian's Chromium driven by playwright-core, for the playground's browser test and screenshots.
 * Playwright never downloads a browser here: the system one is used, or the test is skipped.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.MEMCUBE_CHROMIUM ?? "/usr/bin/chromium";

/** Why browser tests cannot run here (undefined when they can). */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return `no Chromium at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (Debian), or point MEMCUBE_CHROMIUM at a Chromium binary`;
}

// Without the background-networking flags Chromium keeps trying to reach Google's hosts, which a
// closed network refuses; --no-sandbox because CI runs as root.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS });
}
