import type { Context } from "hono";

/**
 * Where memcube tells a client what it did differently from what was asked, without refusing a
 * value MemOS takes nor changing MemOS's message: a clamped limit, an add with nothing to store.
 */
export const NOTICE_HEADER = "x-memcube-notice";

export function addNotice(c: Context, notice: string): void {
  c.header(NOTICE_HEADER, notice, { append: true });
}

/** A number kept within a safety bound; a value outside it is clamped and the clamp reported. */
export function clampWithNotice<T extends number | undefined>(c: Context, field: string, value: T, min: number, max: number): T {
  if (value === undefined || (value >= min && value <= max)) return value;
  const clamped = Math.min(max, Math.max(min, value));
  addNotice(c, `${field} ${value} clamped to ${clamped}`);
  return clamped as T;
}
