/**
 * `memcube keys add|revoke|list`: edits the keys file (MEMCUBE_API_KEYS_FILE). A new key is printed
 * once and only its SHA-256 is written (`"sha256:<hex>": {"user", "access", "created_at"}`). Every
 * edit holds a lock file and replaces the file in one rename, so a server reloading it (SIGHUP)
 * reads the old file or the new one, never half of one. Nothing here prints a key but the new one,
 * or a whole digest: entries are named by an id, the first 12 hex digits of the digest.
 */
import { randomBytes } from "node:crypto";
import { chownSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseApiKeys, parseKeysObject, sha256Hex, type ApiKeyGrant } from "../config/index.js";
import type { CliIO } from "./remote.js";
import { UsageError } from "./remote.js";

export const KEYS_USAGE =
  "usage: memcube keys add <user_id|*> [--read-only] | keys revoke <id> | keys list [--json]   (all take --file F, default MEMCUBE_API_KEYS_FILE)";

const USER_ID = /^[A-Za-z0-9_\-.:@]{1,128}$/;
const ID_LENGTH = 12;
/** Shortest id prefix `revoke` accepts: shorter ones match too easily by accident. */
const MIN_PREFIX = 6;
const LOCK_WAIT_MS = 10_000;
/** A lock this old was left by a crashed command. */
const STALE_LOCK_MS = 60_000;

/** A key to hand out: a recognisable prefix and 256 random bits. */
export const generateKey = (): string => `mck_${randomBytes(32).toString("base64url")}`;

/** The id shown for an entry: the start of its key's digest (the same for hashed and plain entries). */
export const keyId = (digest: string): string => digest.slice(0, ID_LENGTH);

function keysFile(values: { file?: string | undefined }, env: CliIO["env"]): string {
  const file = values.file ?? env.MEMCUBE_API_KEYS_FILE?.trim();
  if (file) return path.resolve(file);
  if (env.MEMCUBE_API_KEYS?.trim())
    throw new UsageError("the keys are in MEMCUBE_API_KEYS, which memcube cannot edit: move them to a file named by MEMCUBE_API_KEYS_FILE (or pass --file)");
  throw new UsageError("no keys file: set MEMCUBE_API_KEYS_FILE or pass --file");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `edit` holding `<file>.lock`, so that two commands editing at once do not lose an edit. */
async function withLock<T>(file: string, edit: () => T): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, "wx", 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} is held by another memcube keys command (remove it if none is running)`);
      else await sleep(50);
    }
  }
  try {
    return edit();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Who the keys file belongs to, and its permissions: a replacement keeps all three. */
interface FileOwnership {
  mode: number;
  /** Undefined for a new file: it belongs to whoever runs the command. */
  owner?: { uid: number; gid: number };
}

/** The file's entries (none when it does not exist yet), checked as the server would check them. */
function readEntries(file: string): { entries: Record<string, unknown>; grants: ApiKeyGrant[]; ownership: FileOwnership } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { entries: {}, grants: [], ownership: { mode: 0o600 } };
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  const entries = parseKeysObject(file, text);
  const grants = Object.keys(entries).length === 0 ? [] : parseApiKeys(file, text);
  const stat = statSync(file);
  return { entries, grants, ownership: { mode: stat.mode & 0o777, owner: { uid: stat.uid, gid: stat.gid } } };
}

/**
 * Writes a temporary file next to the target, flushes it, and renames it over the target. The new
 * file gets the old one's owner: `sudo memcube keys add` on a file of the server's user must not
 * leave a root-owned 0600 file that the server can no longer read (on SIGHUP, or at its next start).
 */
function writeAtomically(file: string, entries: Record<string, unknown>, { mode, owner }: FileOwnership): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    writeFileSync(temporary, `${JSON.stringify(entries, null, 2)}\n`, { mode, flag: "wx" });
    const written = statSync(temporary);
    if (owner && (written.uid !== owner.uid || written.gid !== owner.gid)) {
      try {
        chownSync(temporary, owner.uid, owner.gid);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "failed";
        throw new Error(
          `${file} belongs to uid ${owner.uid} (gid ${owner.gid}), and the edited file could not be given to them (${code}): run memcube keys as that user or as root; the file is unchanged`,
        );
      }
    }
    const handle = openSync(temporary, "r");
    try {
      fsyncSync(handle);
    } finally {
      closeSync(handle);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  try {
    const folder = openSync(path.dirname(file), "r");
    try {
      fsyncSync(folder); // the rename itself survives a crash
    } finally {
      closeSync(folder);
    }
  } catch {
    // some file systems cannot fsync a folder; the rename is still atomic
  }
}

const accessLabel = (grant: ApiKeyGrant) => (grant.access === "read" ? "read-only" : "read-write");

export async function keysCommand(args: string[], io: Pick<CliIO, "env" | "stdout" | "stderr">): Promise<void> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { file: { type: "string" }, "read-only": { type: "boolean" }, json: { type: "boolean" } },
  });
  if (action !== "add" && action !== "revoke" && action !== "list") throw new UsageError(KEYS_USAGE);
  if (action === "list" ? positionals.length > 0 : positionals.length !== 1) throw new UsageError(KEYS_USAGE);
  const file = keysFile(values, io.env);

  if (action === "list") {
    const { entries, grants } = readEntries(file);
    const names = Object.keys(entries);
    grants.forEach((grant, index) => {
      const form = names[index]?.startsWith("sha256:") ? "hashed" : "plain";
      const line = values.json
        ? JSON.stringify({ id: keyId(grant.digest), user: grant.actor, access: grant.access, created_at: grant.createdAt ?? null, stored: form })
        : `${keyId(grant.digest)}  ${grant.actor.padEnd(16)}  ${accessLabel(grant).padEnd(10)}  ${grant.createdAt ?? "-".padEnd(24)}  ${form === "hashed" ? "stored as SHA-256" : "stored as the key itself"}`;
      io.stdout.write(`${line}\n`);
    });
    if (!values.json && grants.length === 0) io.stdout.write(`no keys in ${file}\n`);
    return;
  }

  if (action === "add") {
    const user = positionals[0] as string;
    if (user !== "*" && !USER_ID.test(user)) throw new UsageError("the user must be a user id (1-128 letters, digits or _ - . : @) or * for an admin key");
    const key = generateKey();
    const digest = sha256Hex(key);
    const access = values["read-only"] ? "read" : "write";
    await withLock(file, () => {
      const { entries, ownership } = readEntries(file);
      writeAtomically(file, { ...entries, [`sha256:${digest}`]: { user, access, created_at: new Date().toISOString() } }, ownership);
    });
    // The key alone on stdout (KEY=$(memcube keys add alice) works); the rest on stderr.
    io.stdout.write(`${key}\n`);
    io.stderr.write(
      `added key ${keyId(digest)} for ${user === "*" ? "any user (admin)" : `user ${user}`}, ${access === "read" ? "read-only" : "read-write"}, to ${file}\n` +
        "this is the only time the key is shown: memcube keeps its SHA-256 only. A running server loads it on SIGHUP (kill -HUP <pid>).\n",
    );
    return;
  }

  const wanted = (positionals[0] as string)
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, "");
  const revoked = await withLock(file, () => {
    const { entries, grants, ownership } = readEntries(file);
    const names = Object.keys(entries);
    // By id (any start of the digest, at least 6 digits), or by the key itself.
    const byKey = sha256Hex((positionals[0] as string).trim());
    const matches = grants.flatMap((grant, index) =>
      (/^[0-9a-f]+$/.test(wanted) && wanted.length >= MIN_PREFIX && grant.digest.startsWith(wanted)) || grant.digest === byKey
        ? [{ grant, name: names[index] as string }]
        : [],
    );
    if (matches.length === 0) {
      // What was given may be a key (revoke takes those too): only an id is ever repeated back.
      const given = /^[0-9a-f]+$/.test(wanted) && wanted.length <= ID_LENGTH ? `id ${JSON.stringify(wanted)}` : "that id or key";
      throw new Error(`no key with ${given} in ${file} (see memcube keys list; an id needs at least ${MIN_PREFIX} hex digits)`);
    }
    const digests = new Set(matches.map(({ grant }) => grant.digest));
    if (digests.size > 1) throw new Error(`${digests.size} keys start with ${JSON.stringify(positionals[0])}: give more of the id`);
    // One key may be in the file twice (as itself and as its digest): both entries go.
    const gone = new Set(matches.map(({ name }) => name));
    if (gone.size === names.length)
      throw new Error("that is the file's last key, and a keys file without keys is refused; add another first (for open mode, unset MEMCUBE_API_KEYS_FILE)");
    const match = matches[0] as { grant: ApiKeyGrant; name: string };
    const kept = Object.fromEntries(Object.entries(entries).filter(([name]) => !gone.has(name)));
    writeAtomically(file, kept, ownership);
    return match.grant;
  });
  io.stdout.write(
    `revoked key ${keyId(revoked.digest)} (${revoked.actor === "*" ? "admin" : `user ${revoked.actor}`}, ${accessLabel(revoked)}) from ${file}; a running server drops it on SIGHUP\n`,
  );
}
