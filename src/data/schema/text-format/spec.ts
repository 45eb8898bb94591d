/**
 * Message descriptors for the text-format codec: for each message type, its fields in field-number order
 * (the order text format is written in), with kind, cardinality and oneof group.
 * @module
 */

/** Kinds of scalar fields. `int` is int32/int64 (JS number, safe range); `float` is float32. */
export type ScalarKind = "string" | "int" | "double" | "float" | "bool";

/** One field of a message. */
export interface FieldSpec {
  /** Name in text format (the proto field name, snake_case). */
  readonly text: string;
  /** Property name in the plain object (lowerCamelCase). */
  readonly key: string;
  readonly kind: ScalarKind | "enum" | "message";
  readonly repeated: boolean;
  /** A repeated field that is always present in objects (an empty array when absent from the text). */
  readonly always: boolean;
  /** Must be present. */
  readonly required: boolean;
  /** Message type name, for `kind: "message"`. */
  readonly message?: string;
  /** Enum names to numbers, for `kind: "enum"`. */
  readonly enumValues?: Readonly<Record<string, number>>;
  /** Oneof group: at most one field of a group may be set. */
  readonly oneof?: string;
}

/** Message type name to its fields. */
export type MessageSpecs = Readonly<Record<string, readonly FieldSpec[]>>;

/** Options of {@link field}. */
export interface FieldOptions {
  repeated?: boolean;
  always?: boolean;
  required?: boolean;
  message?: string;
  enumValues?: Readonly<Record<string, number>>;
  oneof?: string;
}

/**
 * Declare a field; the object key is the camelCase form of the text name.
 * @example
 * field("min_fraction", "double") // { text: "min_fraction", key: "minFraction", kind: "double", ... }
 */
export function field(text: string, kind: FieldSpec["kind"], options: FieldOptions = {}): FieldSpec {
  return {
    text,
    key: text.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
    kind,
    repeated: options.repeated ?? options.always ?? false,
    always: options.always ?? false,
    required: options.required ?? false,
    ...(options.message ? { message: options.message } : {}),
    ...(options.enumValues ? { enumValues: options.enumValues } : {}),
    ...(options.oneof ? { oneof: options.oneof } : {}),
  };
}
