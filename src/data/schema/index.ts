/**
 * Data schemas mirroring tensorflow_metadata's `Schema`: inference from statistics, `schema.pbtxt` text format,
 * and lookups used by validation.
 * @example
 * ```ts
 * import { inferSchema, formatSchemaText, parseSchemaText } from "koan/data/schema";
 * const schema = inferSchema(trainStats);
 * await writeFile("schema.pbtxt", formatSchemaText(schema));   // review, edit, check in ("pin")
 * const pinned = parseSchemaText(await readFile("schema.pbtxt", "utf8"));
 * ```
 * @module
 */
export { inferSchema, type InferSchemaOptions } from "./infer.js";
export { parseSchemaText, formatSchemaText } from "./pbtxt.js";
export {
  findSchemaFeature,
  findStringDomain,
  stringDomainOf,
  isFeatureDeprecated,
  isFeatureInEnvironment,
  isPresenceRequired,
  featureKindsFromSchema,
} from "./lookup.js";
export { parseTextFormat } from "./text-format/parser.js";
export { formatTextFormat, formatDouble, formatFloat } from "./text-format/writer.js";
export type { TextField, TextMessage, TextScalar } from "./text-format/ast.js";
export type * from "./types.js";
