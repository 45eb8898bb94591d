/**
 * `schema.pbtxt`: the protobuf text format of `tensorflow.metadata.v0.Schema`, as TFDV's `write_schema_text`
 * writes it and `load_schema_text` reads it.
 * @module
 */
import { decodeMessage, encodeMessage, type PlainMessage } from "./text-format/codec.js";
import { parseTextFormat } from "./text-format/parser.js";
import { formatTextFormat } from "./text-format/writer.js";
import { SCHEMA_SPECS } from "./schema-spec.js";
import type { Schema } from "./types.js";

/**
 * Parse `schema.pbtxt` text. Comments are ignored; fields Koan does not model are kept in `unknownFields`.
 * @param file Name used in error messages.
 * @throws KoanError `FORMAT_INVALID` with the line of the first problem.
 * @example
 * const schema = parseSchemaText(await readFile("schema.pbtxt", "utf8"), "schema.pbtxt");
 * schema.feature.find((f) => f.name === "fare")?.type; // "FLOAT"
 */
export function parseSchemaText(text: string, file = "schema.pbtxt"): Schema {
  return decodeMessage(parseTextFormat(text, file), "Schema", SCHEMA_SPECS, file) as unknown as Schema;
}

/**
 * Format a schema as `schema.pbtxt` text (fields in proto field-number order, two-space indentation, strings
 * C-escaped, doubles as Python prints them), which TFDV and TFX read back.
 * @throws KoanError `DATA_INVALID` naming the path of a property that is not a schema field or has a wrong type.
 * @example
 * formatSchemaText({ feature: [{ name: "x", type: "INT" }], stringDomain: [] });
 * // 'feature {\n  name: "x"\n  type: INT\n}\n'
 */
export function formatSchemaText(schema: Schema): string {
  return formatTextFormat(encodeMessage(schema as unknown as PlainMessage, "Schema", SCHEMA_SPECS));
}
