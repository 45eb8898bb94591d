/**
 * Conversion between Examples and plain JavaScript rows.
 *
 * Row → Example ({@link exampleFromRow}), per column, the kind is `options.kinds[name]` if given, else inferred:
 * `number` → float, `bigint` → int64, `string` / `Uint8Array` → bytes; an array takes the kind of its first
 * element and must be homogeneous. `null`/`undefined` is a present, empty feature when the kind is given, and
 * omitted otherwise; an empty array needs a given kind. Conversions follow `featureOf` (`build.ts`).
 *
 * Example → row ({@link rowFromExample}): float → number, int64 → bigint (or number), bytes → string (UTF-8)
 * or Uint8Array; with `lists: "auto"` (default) one value gives a scalar, none gives `null`, more give an array.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { featureOf, type FeatureScalar } from "./build.js";
import { type FeatureKinds, lookupKind } from "./kinds.js";
import type { Example, Feature, FeatureKind } from "./types.js";

/** One value of a row column. */
export type RowScalar = FeatureScalar;
/** A row column: a scalar, a list, or missing. */
export type RowValue = RowScalar | readonly RowScalar[] | null | undefined;
/** A plain row: column name to value. */
export type Row = Readonly<Record<string, RowValue>>;

/** Options of {@link exampleFromRow}. */
export interface ExampleFromRowOptions {
  /** Kinds by column; columns not named are inferred from their values. */
  kinds?: FeatureKinds;
}

/** Options of {@link rowFromExample}. */
export interface RowFromExampleOptions {
  /** int64 values as `"bigint"` (default) or `"number"` (an error for values beyond ±2^53). */
  int64?: "bigint" | "number";
  /** bytes values as `"string"` (default; UTF-8, an error for invalid UTF-8) or `"bytes"` (Uint8Array). */
  bytes?: "string" | "bytes";
  /** `"auto"` (default): 0 values → null, 1 → the value, more → an array. `"always"`: always an array. */
  lists?: "auto" | "always";
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/**
 * The Example of a row (see the module comment for the rules). Column order does not matter: encoding sorts.
 * @example
 * ```ts
 * exampleFromRow({ species: 0n, bill_mm: 39.1, island: "Torgersen", sex: null }, { kinds: { sex: "bytes" } });
 * ```
 */
export function exampleFromRow(row: Row | ReadonlyMap<string, RowValue>, options: ExampleFromRowOptions = {}): Example {
  const example = new Map<string, Feature>();
  const entries: Iterable<[string, RowValue]> = row instanceof Map ? row : Object.entries(row as Row);
  for (const [name, value] of entries) {
    const given = lookupKind(options.kinds, name);
    if (value === null || value === undefined) {
      if (given !== undefined) example.set(name, featureOf(given, [], name));
      continue;
    }
    const values: readonly RowScalar[] = isList(value) ? value : [value];
    const kind = given ?? (values.length > 0 ? kindOf(values[0], name) : undefined);
    if (kind === undefined) {
      throw new KoanError("DATA_INVALID", `column "${name}": cannot infer the kind of an empty list`, {
        hint: `pass options.kinds with a kind for "${name}"`,
        details: { feature: name },
      });
    }
    example.set(name, featureOf(kind, values, name));
  }
  return example;
}

/**
 * The plain row of an Example (see the module comment for the rules).
 * @example
 * ```ts
 * rowFromExample(example, { int64: "number" }); // { species: 0, bill_mm: 39.099998474121094, ... }
 * ```
 */
export function rowFromExample(example: Example, options: RowFromExampleOptions = {}): Record<string, RowValue> {
  const entries: [string, RowValue][] = [];
  for (const [name, feature] of example) {
    const values = valuesOf(name, feature, options);
    entries.push([name, options.lists === "always" ? values : values.length === 0 ? null : values.length === 1 ? values[0] : values]);
  }
  return Object.fromEntries(entries);
}

function valuesOf(name: string, feature: Feature, options: RowFromExampleOptions): RowScalar[] {
  switch (feature.kind) {
    case "float":
      return Array.from(feature.values);
    case "int64":
      if (options.int64 !== "number") return Array.from(feature.values);
      return Array.from(feature.values, (v) => {
        const n = Number(v);
        if (!Number.isSafeInteger(n)) {
          throw new KoanError("DATA_INVALID", `feature "${name}": int64 value ${v} is not exactly representable as a number`, {
            hint: 'use int64: "bigint"',
            details: { feature: name },
          });
        }
        return n;
      });
    case "bytes":
      if (options.bytes === "bytes") return [...feature.values];
      return feature.values.map((v) => {
        try {
          return utf8Strict.decode(v);
        } catch (e) {
          throw new KoanError("DATA_INVALID", `feature "${name}": bytes value is not valid UTF-8`, {
            hint: 'use bytes: "bytes" to get Uint8Arrays',
            details: { feature: name },
            cause: e,
          });
        }
      });
  }
}

function isList(value: RowScalar | readonly RowScalar[]): value is readonly RowScalar[] {
  return Array.isArray(value);
}

function kindOf(value: RowScalar, name: string): FeatureKind {
  if (typeof value === "number") return "float";
  if (typeof value === "bigint") return "int64";
  if (typeof value === "string" || value instanceof Uint8Array) return "bytes";
  throw new KoanError("DATA_INVALID", `column "${name}": unsupported value of type ${typeof value}`, {
    hint: "row values are numbers, bigints, strings, Uint8Arrays, arrays of one of these, or null",
    details: { feature: name },
  });
}
