import pino, { type DestinationStream, type Logger } from "pino";

/** JSON logs on stdout; credentials are redacted wherever they would appear. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "memcube" },
    redact: { paths: ["*.authorization", "*.api_key", "*.apiKey", "headers.authorization", "*.apiKeys", "apiKeys"], censor: "[redacted]" },
  };
  return destination ? pino(options, destination) : pino(options);
}
