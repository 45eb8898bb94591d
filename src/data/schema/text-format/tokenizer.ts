/**
 * Tokenizer of protobuf text format: identifiers, numbers, string literals (with C escapes), punctuation;
 * `#` comments and whitespace are skipped.
 * @module
 */
import { KoanError } from "../../../core/errors.js";

/** A token with its 1-based position. */
export interface Token {
  readonly type: "identifier" | "number" | "string" | "punct" | "eof";
  /** Identifier, number text, decoded string, or the punctuation character. */
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

const PUNCT = new Set(["{", "}", "<", ">", "[", "]", ":", ",", ";", "-"]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Split text into tokens (adjacent string literals stay separate tokens; the parser joins them).
 * @throws KoanError `FORMAT_INVALID` at a bad character or unterminated/invalid string literal.
 */
export function tokenize(source: string, file = "<text>"): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (msg: string, at = i): never => {
    throw new KoanError("FORMAT_INVALID", `${file}:${line}:${at - lineStart + 1}: ${msg}`, { details: { file, line } });
  };
  while (i < source.length) {
    const c = source[i];
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    const column = i - lineStart + 1;
    if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < source.length && /[A-Za-z0-9_.]/.test(source[i])) i++;
      tokens.push({ type: "identifier", text: source.slice(start, i), line, column });
      continue;
    }
    if (/[0-9.]/.test(c) || ((c === "-" || c === "+") && /[0-9.]/.test(source[i + 1] ?? ""))) {
      const m = /^[-+]?(0[xX][0-9A-Fa-f]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?[fF]?)/.exec(source.slice(i));
      if (!m) fail("malformed number");
      tokens.push({ type: "number", text: m![0], line, column });
      i += m![0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const { text, end } = readString(source, i, fail);
      tokens.push({ type: "string", text, line, column });
      i = end;
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push({ type: "punct", text: c, line, column });
      i++;
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ type: "eof", text: "", line, column: i - lineStart + 1 });
  return tokens;
}

function readString(source: string, start: number, fail: (msg: string, at?: number) => never): { text: string; end: number } {
  const quote = source[start];
  const bytes: number[] = [];
  const pushText = (s: string): void => {
    for (const b of Buffer.from(s, "utf8")) bytes.push(b);
  };
  let i = start + 1;
  for (;;) {
    if (i >= source.length || source[i] === "\n") fail("unterminated string literal", start);
    const c = source[i];
    if (c === quote) break;
    if (c !== "\\") {
      const cp = source.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      pushText(ch);
      i += ch.length;
      continue;
    }
    const e = source[i + 1];
    i += 2;
    switch (e) {
      case "n": bytes.push(10); break;
      case "t": bytes.push(9); break;
      case "r": bytes.push(13); break;
      case "a": bytes.push(7); break;
      case "b": bytes.push(8); break;
      case "f": bytes.push(12); break;
      case "v": bytes.push(11); break;
      case "\\": bytes.push(92); break;
      case "'": bytes.push(39); break;
      case '"': bytes.push(34); break;
      case "?": bytes.push(63); break;
      case "x":
      case "X": {
        const m = /^[0-9A-Fa-f]{1,2}/.exec(source.slice(i));
        if (!m) fail("invalid \\x escape", i - 2);
        bytes.push(parseInt(m![0], 16));
        i += m![0].length;
        break;
      }
      case "u":
      case "U": {
        const len = e === "u" ? 4 : 8;
        const hex = source.slice(i, i + len);
        if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex) || parseInt(hex, 16) > 0x10ffff) fail(`invalid \\${e} escape`, i - 2);
        pushText(String.fromCodePoint(parseInt(hex, 16)));
        i += len;
        break;
      }
      default: {
        const m = /^[0-7]{1,3}/.exec(source.slice(i - 1));
        if (!m) fail(`invalid escape \\${e ?? ""}`, i - 2);
        bytes.push(parseInt(m![0], 8) & 0xff);
        i += m![0].length - 1;
      }
    }
  }
  let text: string;
  try {
    text = utf8.decode(new Uint8Array(bytes));
  } catch {
    return fail("string literal is not valid UTF-8", start);
  }
  return { text, end: i + 1 };
}
