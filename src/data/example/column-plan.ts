/**
 * The per-column constants of the table-row encoders ({@link ExampleRowEncoder}, {@link ExampleChunkEncoder}):
 * every column is one feature of a fixed kind, and an Example's features are written in sorted key order, so the
 * key bytes, their order and the start of each map entry are computed once per encoder.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { FeatureKind } from "./types.js";
import { varint32Size, writeVarint32 } from "./wire-writer.js";

/** One column of the rows to encode. */
export interface RowEncoderColumn {
  readonly name: string;
  readonly kind: FeatureKind;
}

/** A column's constants, in the order its feature is written. */
export interface ColumnPlan {
  /** Index of the column in the input row. */
  readonly input: number;
  readonly kind: FeatureKind;
  /** 0 float, 1 int64, 2 bytes. */
  readonly code: number;
  /** TAG_1 varint(keyLength) key TAG_2: the part of the map entry before the feature size. */
  readonly head: Uint8Array;
  readonly name: string;
}

const utf8 = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/**
 * The plans of `columns`, sorted by key bytes (the order `encodeExample` writes features in).
 * @throws KoanError `USAGE` for a column named twice or of an unknown kind.
 * @example
 * columnPlans([{ name: "b", kind: "float" }, { name: "a", kind: "bytes" }]).map((p) => p.name); // ["a", "b"]
 */
export function columnPlans(columns: readonly RowEncoderColumn[]): ColumnPlan[] {
  const seen = new Set<string>();
  const plans = columns.map((c, input) => {
    if (seen.has(c.name)) throw new KoanError("USAGE", `column "${c.name}" is given twice`);
    seen.add(c.name);
    if (c.kind !== "float" && c.kind !== "int64" && c.kind !== "bytes") throw new KoanError("USAGE", `column "${c.name}" has unknown kind ${String(c.kind)}`);
    const key = utf8.encode(c.name);
    const head = new Uint8Array(1 + varint32Size(key.length) + key.length + 1);
    head[0] = 0x0a;
    let pos = writeVarint32(head, 1, key.length);
    head.set(key, pos);
    pos += key.length;
    head[pos] = 0x12;
    return { plan: { input, kind: c.kind, code: c.kind === "float" ? 0 : c.kind === "int64" ? 1 : 2, head, name: c.name }, key };
  });
  plans.sort((a, b) => compareBytes(a.key, b.key));
  return plans.map((p) => p.plan);
}
