import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";

export type Env = Readonly<Record<string, string | undefined>>;

/** The process environment, with `.env` filling only what the environment does not set. */
export function loadEnv(envFile = ".env", environment: NodeJS.ProcessEnv = process.env): Env {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, "utf8")) : {};
  return { ...fromFile, ...definedOnly(environment) };
}

function definedOnly(environment: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) {
    if (value !== undefined) result[key] = value;
  }
  return result;
}
