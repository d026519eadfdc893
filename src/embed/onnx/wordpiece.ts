/**
 * The BERT WordPiece tokenizer, read from a Hugging Face `tokenizer.json` (the format the
 * `tokenizers` library saves): BertNormalizer → BertPreTokenizer → WordPiece → `[CLS] … [SEP]`.
 * Enough for the BERT family of sentence encoders (bge-*, e5-*-v2, all-MiniLM…); other tokenizer
 * models (SentencePiece Unigram, BPE) are refused with a message saying so.
 */
import { z } from "zod";

const BertNormalizer = z.object({
  type: z.literal("BertNormalizer"),
  clean_text: z.boolean().default(true),
  handle_chinese_chars: z.boolean().default(true),
  /** null: the same as `lowercase`, as in BERT's original code. */
  strip_accents: z.boolean().nullable().default(null),
  lowercase: z.boolean().default(true),
});

const TokenizerFile = z.object({
  normalizer: z.unknown().nullable().optional(),
  pre_tokenizer: z.unknown().nullable().optional(),
  truncation: z.object({ max_length: z.number().int().positive() }).passthrough().nullable().optional(),
  model: z
    .object({
      type: z.string().optional(),
      unk_token: z.string().default("[UNK]"),
      continuing_subword_prefix: z.string().default("##"),
      max_input_chars_per_word: z.number().int().positive().default(100),
      vocab: z.record(z.string(), z.number().int().nonnegative()),
    })
    .passthrough(),
});

export interface Encoding {
  /** Token ids, `[CLS]` first and `[SEP]` last. */
  ids: number[];
  /** How many of the tokens between `[CLS]` and `[SEP]` are `[UNK]`. */
  unknown: number;
}

export interface WordPieceOptions {
  /** Tokens per text including `[CLS]` and `[SEP]`; the rest of a longer text is dropped. */
  maxTokens: number;
}

export class TokenizerFormatError extends Error {
  override readonly name = "TokenizerFormatError";
}

export class WordPieceTokenizer {
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly unkId: number;
  readonly maxTokens: number;
  private readonly vocab: Map<string, number>;
  private readonly prefix: string;
  private readonly maxWordChars: number;
  private readonly normalizer: z.infer<typeof BertNormalizer> | undefined;

  /** `json`: the text of tokenizer.json. Throws TokenizerFormatError when it is not a WordPiece tokenizer. */
  constructor(json: string, options: WordPieceOptions) {
    let raw: unknown;
    try {
      raw = JSON.parse(json);
    } catch {
      throw new TokenizerFormatError("tokenizer.json is not JSON");
    }
    const modelType = z.object({ model: z.object({ type: z.string() }) }).safeParse(raw);
    if (modelType.success && modelType.data.model.type !== "WordPiece") {
      throw new TokenizerFormatError(
        `tokenizer.json holds a ${modelType.data.model.type} tokenizer; only WordPiece (BERT-family models such as bge-small-zh-v1.5, e5-small-v2, all-MiniLM-L6-v2) is supported`,
      );
    }
    const parsed = TokenizerFile.safeParse(raw);
    if (!parsed.success) throw new TokenizerFormatError(`tokenizer.json: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
    const file = parsed.data;
    if (file.normalizer) {
      const normalizer = BertNormalizer.safeParse(file.normalizer);
      if (!normalizer.success) throw new TokenizerFormatError("tokenizer.json: only the BertNormalizer is supported");
      this.normalizer = normalizer.data;
    }
    this.vocab = new Map(Object.entries(file.model.vocab));
    this.prefix = file.model.continuing_subword_prefix;
    this.maxWordChars = file.model.max_input_chars_per_word;
    const idOf = (token: string) => {
      const id = this.vocab.get(token);
      if (id === undefined) throw new TokenizerFormatError(`tokenizer.json: the vocabulary has no ${token}`);
      return id;
    };
    this.unkId = idOf(file.model.unk_token);
    this.clsId = idOf("[CLS]");
    this.sepId = idOf("[SEP]");
    this.padId = this.vocab.get("[PAD]") ?? 0;
    this.maxTokens = Math.max(2, Math.min(options.maxTokens, file.truncation?.max_length ?? Infinity));
  }

  encode(text: string): Encoding {
    const room = this.maxTokens - 2;
    const ids: number[] = [this.clsId];
    let unknown = 0;
    for (const word of this.words(text)) {
      for (const id of this.wordPieces(word)) {
        if (ids.length > room) break;
        ids.push(id);
        if (id === this.unkId) unknown++;
      }
      if (ids.length > room) break;
    }
    ids.push(this.sepId);
    return { ids, unknown };
  }

  /** The text's tokens as strings (for tests and debugging). */
  tokens(text: string): string[] {
    const byId = new Map([...this.vocab].map(([token, id]) => [id, token]));
    return this.encode(text).ids.map((id) => byId.get(id) ?? "?");
  }

  /** Normalised and split into words and single punctuation marks. */
  private words(text: string): string[] {
    return this.normalise(text).split(WHITESPACE_RUN).filter(Boolean).flatMap(splitOnPunctuation);
  }

  private normalise(text: string): string {
    const options = this.normalizer;
    if (!options) return text;
    let result = text;
    if (options.clean_text) result = cleanText(result);
    if (options.handle_chinese_chars) result = spaceOutIdeographs(result);
    if (options.strip_accents ?? options.lowercase) result = result.normalize("NFD").replace(/\p{Mn}/gu, "");
    // Character by character, as the Rust tokenizer does: a whole-string toLowerCase would turn a
    // word-final "Σ" into "ς", which is another token.
    if (options.lowercase) result = Array.from(result, (char) => char.toLowerCase()).join("");
    return result;
  }

  /** Greedy longest-match-first; a word with an unmatched piece is one `[UNK]`. */
  private wordPieces(word: string): number[] {
    const chars = [...word];
    if (chars.length > this.maxWordChars) return [this.unkId];
    const pieces: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: number | undefined;
      while (end > start) {
        const piece = (start > 0 ? this.prefix : "") + chars.slice(start, end).join("");
        found = this.vocab.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return [this.unkId];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }
}

/**
 * Drops NUL, U+FFFD, control, format and private-use characters (and lone surrogates, which the
 * Rust tokenizer receives as U+FFFD), as the `tokenizers` library's BertNormalizer does; it keeps
 * unassigned code points. Tab, new line, carriage return and other whitespace become a space.
 */
function cleanText(text: string): string {
  let result = "";
  for (const char of text) {
    if (char === "\0" || char === "\ufffd") continue;
    if (/^[\t\n\r]$/u.test(char)) result += " ";
    else if (/^[\p{Cc}\p{Cf}\p{Co}\p{Cs}]$/u.test(char)) continue;
    else if (WHITESPACE.test(char)) result += " ";
    else result += char;
  }
  return result;
}

/** Unicode White_Space, as Rust's `char::is_whitespace` (JavaScript's `\s` adds U+FEFF and lacks U+0085). */
const WHITESPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;
const WHITESPACE_RUN = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/** CJK ideographs are words of their own: BERT's vocabularies hold them one character each. */
function spaceOutIdeographs(text: string): string {
  let result = "";
  for (const char of text) result += isIdeograph(char.codePointAt(0) ?? 0) ? ` ${char} ` : char;
  return result;
}

function isIdeograph(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x20000 && code <= 0x2a6df) ||
    (code >= 0x2a700 && code <= 0x2b73f) ||
    (code >= 0x2b740 && code <= 0x2b81f) ||
    (code >= 0x2b920 && code <= 0x2ceaf) || // 0x2b920, not BERT's 0x2b820: as the `tokenizers` library has it
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x2f800 && code <= 0x2fa1f)
  );
}

/** ASCII symbols count as punctuation too (`$`, `+`, `^`…), as in BERT. */
function isPunctuation(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  if ((code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || (code >= 123 && code <= 126)) return true;
  return /^\p{P}$/u.test(char);
}

function splitOnPunctuation(word: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (const char of word) {
    if (isPunctuation(char)) {
      if (current) parts.push(current);
      parts.push(char);
      current = "";
    } else current += char;
  }
  if (current) parts.push(current);
  return parts;
}
