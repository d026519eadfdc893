/**
 * Checked decoding of the rows a database driver returns (typed `unknown` to us): each column is
 * tested and converted once, where the row leaves the driver, so that a schema drift or a wrong
 * query fails there with the table and column named, instead of as a wrong value further on.
 */

/** Checks and converts one column's value; throws a TypeError saying what it expected. */
export type Column<T> = (value: unknown) => T;

/** A row's shape: the decoder of each column. */
export type Shape = Record<string, Column<unknown>>;

export type Decoded<S extends Shape> = { [K in keyof S]: S[K] extends Column<infer T> ? T : never };

/** A row that does not have the shape its query promises. */
export class StoreRowError extends Error {
  constructor(table: string, column: string, reason: string) {
    super(`unexpected ${table} row: ${column} ${reason}`);
    this.name = "StoreRowError";
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Buffer.isBuffer(value)) return "bytes";
  return Array.isArray(value) ? "an array" : typeof value;
}

function expected(what: string, value: unknown): TypeError {
  return new TypeError(`is ${describe(value)}, expected ${what}`);
}

export const text: Column<string> = (value) => {
  if (typeof value !== "string") throw expected("text", value);
  return value;
};

/** A number; bigint values (SQLite's safe integers, never enabled here) are converted when exact. */
export const number: Column<number> = (value) => {
  if (typeof value === "number") return value;
  if (typeof value === "bigint" && Number.isSafeInteger(Number(value))) return Number(value);
  throw expected("a number", value);
};

export const bytes: Column<Buffer> = (value) => {
  if (!Buffer.isBuffer(value)) throw expected("bytes", value);
  return value;
};

export function nullable<T>(column: Column<T>): Column<T | null> {
  return (value) => (value === null || value === undefined ? null : column(value));
}

export function oneOf<const V extends string>(values: readonly V[]): Column<V> {
  return (value) => {
    if (typeof value === "string" && (values as readonly string[]).includes(value)) return value as V;
    throw expected(`one of ${values.join(", ")}`, value);
  };
}

export const stringList: Column<string[]> = (value) => {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) throw expected("a list of strings", value);
  return value;
};

export const jsonObject: Column<Record<string, unknown>> = (value) => {
  if (typeof value !== "object" || value === null || Array.isArray(value) || Buffer.isBuffer(value)) throw expected("a JSON object", value);
  return value as Record<string, unknown>;
};

/** A JSON column kept as text (SQLite): parsed, then checked. */
export function jsonText<T>(column: Column<T>): Column<T> {
  return (value) => column(JSON.parse(text(value)));
}

/** A JSON column the driver already parsed (PostgreSQL's jsonb). */
export function jsonValue<T>(column: Column<T>): Column<T> {
  return column;
}

/** How a driver hands over JSON columns. */
export type JsonColumn = <T>(column: Column<T>) => Column<T>;

/** A decoder for rows of one shape (named after its table, for errors). */
export function rowOf<S extends Shape>(table: string, shape: S): (row: unknown) => Decoded<S> {
  return decoder(
    table,
    Object.entries(shape).map(([name, column]) => [name, name, column]),
  );
}

/** A record's fields, each read from a column: `cubeId: ["cube_id", text]`. */
export type Fields = Record<string, readonly [column: string, decode: Column<unknown>]>;

export type FieldsOf<F extends Fields> = { [K in keyof F]: F[K][1] extends Column<infer T> ? T : never };

/** A decoder from rows of a table to records whose fields are named otherwise than the columns. */
export function recordOf<F extends Fields>(table: string, fields: F): (row: unknown) => FieldsOf<F> {
  return decoder(
    table,
    Object.entries(fields).map(([field, [column, decode]]) => [field, column, decode]),
  );
}

function decoder<T>(table: string, columns: readonly (readonly [field: string, column: string, decode: Column<unknown>])[]): (row: unknown) => T {
  return (row) => {
    if (typeof row !== "object" || row === null) throw new StoreRowError(table, "(row)", `is ${describe(row)}`);
    const source = row as Record<string, unknown>;
    const decoded: Record<string, unknown> = {};
    for (const [field, column, decode] of columns) {
      try {
        decoded[field] = decode(source[column]);
      } catch (error) {
        throw new StoreRowError(table, column, error instanceof Error ? error.message : String(error));
      }
    }
    // Every field was decoded by its own Column, as the caller's type says.
    return decoded as T;
  };
}

/** A single value (a count, an id) read as one column. */
export function valueOf<T>(what: string, column: Column<T>): (value: unknown) => T {
  return (value) => {
    try {
      return column(value);
    } catch (error) {
      throw new StoreRowError(what, "value", error instanceof Error ? error.message : String(error));
    }
  };
}
