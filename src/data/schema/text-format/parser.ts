/**
 * Parser of protobuf text format into a {@link TextMessage} tree (no message types needed).
 * Accepts both `{}` and `<>` message delimiters, optional `:` before messages, `,`/`;` separators, `[a, b]`
 * lists and adjacent string concatenation. Extension and `Any` fields (`[type.name]`) are refused.
 * @module
 */
import { KoanError } from "../../../core/errors.js";
import type { TextField, TextMessage, TextScalar } from "./ast.js";
import { tokenize, type Token } from "./tokenizer.js";

/**
 * Parse a text-format message.
 * @throws KoanError `FORMAT_INVALID` with file, line and column of the first syntax error.
 * @example
 * parseTextFormat('feature { name: "a" type: INT }').fields[0].name // "feature"
 */
export function parseTextFormat(source: string, file = "<text>"): TextMessage {
  const p = new Parser(tokenize(source, file), file);
  const msg = p.fields(undefined);
  p.expectEof();
  return msg;
}

class Parser {
  private pos = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly file: string,
  ) {}

  fields(close: string | undefined): TextMessage {
    const fields: TextField[] = [];
    for (;;) {
      const t = this.peek();
      if (close !== undefined && t.type === "punct" && t.text === close) break;
      if (t.type === "eof") {
        if (close !== undefined) this.fail(t, `expected "${close}" before end of input`);
        break;
      }
      if (t.type === "punct" && t.text === "[") this.fail(t, "extension and Any fields ([...]) are not supported");
      if (t.type !== "identifier") this.fail(t, `expected a field name, got ${describe(t)}`);
      this.pos++;
      this.fieldValue(t, fields);
      const sep = this.peek();
      if (sep.type === "punct" && (sep.text === "," || sep.text === ";")) this.pos++;
    }
    return { kind: "message", fields };
  }

  expectEof(): void {
    const t = this.peek();
    if (t.type !== "eof") this.fail(t, `unexpected ${describe(t)}`);
  }

  private fieldValue(name: Token, out: TextField[]): void {
    const hasColon = this.eat(":");
    const t = this.peek();
    if (t.type === "punct" && (t.text === "{" || t.text === "<")) {
      out.push({ name: name.text, value: this.message(), line: name.line });
      return;
    }
    if (!hasColon) this.fail(t, `expected ":" or "{" after field "${name.text}"`);
    if (t.type === "punct" && t.text === "[") {
      this.pos++;
      if (this.eat("]")) return;
      for (;;) {
        const v = this.peek();
        const value = v.type === "punct" && (v.text === "{" || v.text === "<") ? this.message() : this.scalar();
        out.push({ name: name.text, value, line: name.line });
        if (this.eat("]")) return;
        if (!this.eat(",")) this.fail(this.peek(), `expected "," or "]" in the list of "${name.text}"`);
      }
    }
    out.push({ name: name.text, value: this.scalar(), line: name.line });
  }

  private message(): TextMessage {
    const open = this.tokens[this.pos++];
    const close = open.text === "{" ? "}" : ">";
    const msg = this.fields(close);
    this.pos++; // the closing delimiter, checked by fields()
    return msg;
  }

  private scalar(): TextScalar {
    const t = this.tokens[this.pos++];
    if (t.type === "string") {
      let value = t.text;
      while (this.peek().type === "string") value += this.tokens[this.pos++].text;
      return { kind: "string", value };
    }
    if (t.type === "number") return { kind: "number", value: t.text };
    if (t.type === "identifier") return { kind: "identifier", value: t.text };
    if (t.type === "punct" && t.text === "-") {
      const id = this.tokens[this.pos++];
      if (id.type === "identifier") return { kind: "identifier", value: `-${id.text}` };
      this.fail(id, `expected a number or identifier after "-", got ${describe(id)}`);
    }
    return this.fail(t, `expected a value, got ${describe(t)}`);
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private eat(punct: string): boolean {
    const t = this.peek();
    if (t.type === "punct" && t.text === punct) {
      this.pos++;
      return true;
    }
    return false;
  }

  private fail(t: Token, msg: string): never {
    throw new KoanError("FORMAT_INVALID", `${this.file}:${t.line}:${t.column}: ${msg}`, { details: { file: this.file, line: t.line } });
  }
}

function describe(t: Token): string {
  if (t.type === "eof") return "end of input";
  if (t.type === "string") return "a string";
  return `"${t.text}"`;
}
