import pino, { type Logger } from "pino";

/** JSON logs on stdout; credentials are redacted wherever they would appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "memcube" },
    redact: { paths: ["*.authorization", "*.api_key", "*.apiKey", "headers.authorization"], censor: "[redacted]" },
  });
}
