/**
 * Strict UTF-8 decoding of request bodies. A lenient decoder turns bytes that are not UTF-8 into
 * U+FFFD, so the server would store something the client never sent; a body that is not UTF-8 is
 * refused instead, saying where it stops being UTF-8.
 */
const strict = new TextDecoder("utf-8", { fatal: true });

/**
 * The offset of the first byte that does not begin or continue a well-formed UTF-8 sequence
 * (RFC 3629: no overlong forms, no surrogates D800-DFFF, nothing above U+10FFFF), or -1.
 */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] as number;
    if (lead < 0x80) {
      index += 1;
      continue;
    }
    // The allowed range of the second byte depends on the lead byte (this rules out overlongs and surrogates).
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return index;
    for (let offset = 1; offset < length; offset++) {
      const next = bytes[index + offset];
      if (next === undefined) return index;
      const [min, max] = offset === 1 ? [low, high] : [0x80, 0xbf];
      if (next < min || next > max) return index;
    }
    index += length;
  }
  return -1;
}

export class InvalidUtf8Error extends Error {
  constructor(readonly byteOffset: number) {
    super(`invalid UTF-8 at byte ${byteOffset}`);
    this.name = "InvalidUtf8Error";
  }
}

/** The bytes as text (a leading BOM dropped); throws InvalidUtf8Error rather than replacing anything. */
export function decodeUtf8Strictly(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw new InvalidUtf8Error(Math.max(0, firstInvalidUtf8Byte(bytes)));
  }
}
