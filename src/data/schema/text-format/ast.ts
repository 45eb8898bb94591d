/**
 * The syntax tree of protobuf text format, independent of any message type.
 * @module
 */

/** A scalar as written: a (decoded) string literal, an identifier (enum name, `true`, `inf`), or a number. */
export type TextScalar =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "identifier"; readonly value: string }
  | { readonly kind: "number"; readonly value: string };

/** A nested message: its fields in written order. */
export interface TextMessage {
  readonly kind: "message";
  readonly fields: readonly TextField[];
}

/** One `name: value` or `name { ... }` entry. `line` is 1-based, when parsed from text. */
export interface TextField {
  readonly name: string;
  readonly value: TextScalar | TextMessage;
  readonly line?: number;
}
