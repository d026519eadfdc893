/**
 * Fetching a document a client names by URL, which a memory server must not do blindly (it would
 * let any client make the server call its private network: SSRF). Only hosts the operator lists
 * (MEMCUBE_FETCH_URLS) are fetched, over http(s); every address a host resolves to must be public
 * (no loopback, private, link-local, carrier-grade NAT, multicast or reserved ranges, IPv4-mapped
 * forms included), and the connection goes to the address that was checked (a second DNS answer
 * cannot swap it). Redirects are followed by hand and each target is checked again; the body is
 * cut off past the size limit and the whole fetch past the time limit.
 */
import http from "node:http";
import https from "node:https";
import { BlockList, isIP } from "node:net";
import { lookup } from "node:dns/promises";
import type { LookupFunction } from "node:net";

/** Addresses of a host name, as `dns.lookup` gives them. Injectable: tests resolve without DNS. */
export type Resolver = (host: string) => Promise<{ address: string; family: 4 | 6 }[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));

export interface FetchPolicy {
  /** Host names that may be fetched (lower case; `*` for any host); empty: fetching is off. */
  allowHosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  resolve: Resolver;
  /** Whether an address may be connected to; default: public addresses only. Tests allow loopback. */
  addressAllowed?: (address: string, family: 4 | 6) => boolean;
}

/** Why a URL was not fetched: said in a 422 (or 413, `tooLarge`) naming the part. */
export class UrlRefused extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
    this.name = "UrlRefused";
  }
}

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, "ipv6");

/** A public unicast address (an IPv4-mapped IPv6 address is judged as the IPv4 address it maps). */
export function isPublicAddress(address: string, family: 4 | 6): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return !NOT_PUBLIC.check(mapped[1], "ipv4");
  return !NOT_PUBLIC.check(address, family === 6 ? "ipv6" : "ipv4");
}

const hostAllowed = (policy: FetchPolicy, host: string) => policy.allowHosts.includes("*") || policy.allowHosts.includes(host.toLowerCase());

/** The checked address to connect to, for a URL the policy allows. */
async function checkedAddress(policy: FetchPolicy, url: URL): Promise<{ address: string; family: 4 | 6 }> {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UrlRefused(`only http and https URLs are fetched, not ${url.protocol}`);
  if (url.username !== "" || url.password !== "") throw new UrlRefused("a URL with credentials in it is not fetched");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!hostAllowed(policy, host)) throw new UrlRefused(`host '${host}' is not in MEMCUBE_FETCH_URLS`);
  const literal = isIP(host);
  const addresses = literal !== 0 ? [{ address: host, family: literal as 4 | 6 }] : await policy.resolve(host).catch(() => []);
  if (addresses.length === 0) throw new UrlRefused(`host '${host}' does not resolve`);
  const allowed = policy.addressAllowed ?? isPublicAddress;
  const refused = addresses.find((entry) => !allowed(entry.address, entry.family));
  if (refused) throw new UrlRefused(`host '${host}' resolves to ${refused.address}, a private, loopback or reserved address`);
  return addresses[0] as { address: string; family: 4 | 6 };
}

interface Response {
  status: number;
  location?: string;
  body: Buffer;
}

function request(url: URL, target: { address: string; family: 4 | 6 }, policy: FetchPolicy, signal: AbortSignal): Promise<Response> {
  // The connection goes to the address checked, whatever a new lookup would answer.
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { lookup: pinned, signal, headers: { "user-agent": "memcube", accept: "*/*" } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        resolve({ status, location: res.headers.location, body: Buffer.alloc(0) });
        return;
      }
      const declared = Number(res.headers["content-length"] ?? 0);
      if (declared > policy.maxBytes) {
        res.destroy();
        reject(new UrlRefused(`the document at ${url.href} is larger than ${policy.maxBytes} bytes (MEMCUBE_DOCUMENT_MAX_BYTES)`, true));
        return;
      }
      const parts: Buffer[] = [];
      let size = 0;
      res.on("data", (part: Buffer) => {
        size += part.length;
        if (size > policy.maxBytes) {
          res.destroy();
          reject(new UrlRefused(`the document at ${url.href} is larger than ${policy.maxBytes} bytes (MEMCUBE_DOCUMENT_MAX_BYTES)`, true));
          return;
        }
        parts.push(part);
      });
      res.on("end", () => resolve({ status, body: Buffer.concat(parts) }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

/** The bytes at a URL the policy allows, or UrlRefused saying why not. */
export async function fetchDocument(policy: FetchPolicy, href: string): Promise<Buffer> {
  if (policy.allowHosts.length === 0)
    throw new UrlRefused("URLs are not fetched on this server (MEMCUBE_FETCH_URLS is off): send the file's content base64-encoded");
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new UrlRefused("not a valid URL");
  }
  const signal = AbortSignal.timeout(policy.timeoutMs);
  try {
    for (let hop = 0; hop <= policy.maxRedirects; hop++) {
      const target = await checkedAddress(policy, url);
      const response = await request(url, target, policy, signal);
      if (response.location === undefined) {
        if (response.status < 200 || response.status >= 300) throw new UrlRefused(`${url.href} answered HTTP ${response.status}`);
        return response.body;
      }
      url = new URL(response.location, url);
    }
    throw new UrlRefused(`more than ${policy.maxRedirects} redirects`);
  } catch (error) {
    if (error instanceof UrlRefused) throw error;
    if (signal.aborted) throw new UrlRefused(`fetching ${url.href} took longer than ${policy.timeoutMs} ms`);
    throw new UrlRefused(`fetching ${url.href} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
