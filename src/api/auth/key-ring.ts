/**
 * The configured API keys and whom each one lets a request act as. Reads no HTTP: the
 * authentication middleware hands it the presented key.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiKeyGrant } from "../../config/index.js";
import type { Principal } from "../app-env.js";

const digestOf = (key: string) => createHash("sha256").update(key, "utf8").digest();

interface KeyEntry {
  digest: Buffer;
  principal: Principal;
}

function entriesOf(grants: readonly ApiKeyGrant[]): KeyEntry[] {
  return grants.map(({ digest, actor, access }) => {
    const readOnly = access === "read" ? ({ readOnly: true } as const) : {};
    return {
      digest: Buffer.from(digest, "hex"),
      principal: actor === "*" ? { kind: "admin", ...readOnly } : { kind: "user", userId: actor, ...readOnly },
    };
  });
}

/** The configured keys, kept only as SHA-256 digests; replaced whole when the keys file is reloaded. */
export class KeyRing {
  private entries: readonly KeyEntry[];

  constructor(grants: readonly ApiKeyGrant[]) {
    this.entries = entriesOf(grants);
  }

  /**
   * Swaps in another set of keys in one assignment: a request is checked against the old set or
   * the new one, never a mix, and requests already admitted go on as they were.
   */
  replace(grants: readonly ApiKeyGrant[]): void {
    this.entries = entriesOf(grants);
  }

  /**
   * The principal of a presented key. Digests have one length whatever the key's, and every entry is
   * compared in constant time with no early exit, so timing tells nothing about the keys.
   */
  identify(presented: string): Principal | undefined {
    const digest = digestOf(presented);
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest)) found ??= entry.principal;
    }
    return found;
  }

  /** The users of the non-admin keys (their default cubes are reserved for them). */
  users(): string[] {
    return [...new Set(this.entries.flatMap(({ principal }) => (principal.kind === "user" ? [principal.userId] : [])))];
  }
}
