/**
 * Columnar batches of Examples, for steps that need speed: single-valued numeric features become typed arrays
 * with a validity mask; everything else stays a list per row.
 * @module
 */
import type { Example, FeatureKind } from "../example/types.js";

/** One column of a batch. */
export type Column =
  | { readonly kind: "float"; readonly values: Float32Array; readonly valid: Uint8Array }
  | { readonly kind: "int64"; readonly values: BigInt64Array; readonly valid: Uint8Array }
  | { readonly kind: "bytes"; readonly values: readonly (string | null)[] }
  | { readonly kind: "list"; readonly values: readonly (readonly (number | bigint | string)[] | null)[] };

/** A batch: `length` rows, one column per feature. */
export interface ColumnBatch {
  readonly length: number;
  readonly columns: Readonly<Record<string, Column>>;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Build a batch from Examples (features of kind `kinds`). */
export function collectBatch(examples: readonly Example[], kinds: Readonly<Record<string, FeatureKind>>): ColumnBatch {
  const n = examples.length;
  const columns: Record<string, Column> = {};
  for (const [name, kind] of Object.entries(kinds)) {
    const multi = examples.some((ex) => (ex.get(name)?.values.length ?? 0) > 1);
    if (multi) {
      columns[name] = {
        kind: "list",
        values: examples.map((ex) => {
          const f = ex.get(name);
          if (!f || f.values.length === 0) return null;
          if (f.kind === "bytes") return f.values.map((b) => utf8.decode(b));
          return Array.from(f.values as ArrayLike<number | bigint>);
        }),
      };
    } else if (kind === "float") {
      const values = new Float32Array(n);
      const valid = new Uint8Array(n);
      examples.forEach((ex, i) => {
        const f = ex.get(name);
        if (f?.kind === "float" && f.values.length) {
          values[i] = f.values[0] as number;
          valid[i] = 1;
        } else values[i] = Number.NaN;
      });
      columns[name] = { kind, values, valid };
    } else if (kind === "int64") {
      const values = new BigInt64Array(n);
      const valid = new Uint8Array(n);
      examples.forEach((ex, i) => {
        const f = ex.get(name);
        if (f?.kind === "int64" && f.values.length) {
          values[i] = f.values[0] as bigint;
          valid[i] = 1;
        }
      });
      columns[name] = { kind, values, valid };
    } else {
      columns[name] = {
        kind: "bytes",
        values: examples.map((ex) => {
          const f = ex.get(name);
          return f?.kind === "bytes" && f.values.length ? utf8.decode(f.values[0]) : null;
        }),
      };
    }
  }
  return { length: n, columns };
}
