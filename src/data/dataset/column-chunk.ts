/**
 * A chunk of table rows as typed columns, the unit in which table sources (DuckDB, databases) hand rows to a
 * {@link DatasetWriter}: each column is one single-valued feature, seen both as the Example encoder reads it and
 * as the statistics count it. A chunk can be packed into a message for a worker thread (numbers as typed arrays,
 * strings dictionary-coded, so a column of few distinct values sends each string once) and unpacked there.
 * @module
 */
import type { RowEncoderColumn, RowEncoderColumnData } from "../example/row-encoder.js";
import type { StatsColumn } from "../stats/columns.js";

/** One column of a {@link ColumnChunk}: the encoder's view and the statistics' view of the same values. */
export interface ChunkColumn {
  readonly data: RowEncoderColumnData;
  readonly stats: StatsColumn;
}

/** `rows` rows as columns, in the order of the writer's declared columns. */
export interface ColumnChunk {
  readonly rows: number;
  readonly columns: readonly ChunkColumn[];
}

/** A column of a {@link PackedChunk}. */
export type PackedColumn =
  | { readonly kind: "float"; readonly values: Float64Array; readonly valid: Uint8Array | null }
  | { readonly kind: "int64"; readonly words: Int32Array; readonly numbers: Float64Array; readonly valid: Uint8Array | null }
  /** `ids[r]` indexes `dict`, or is -1 for NULL. */
  | { readonly kind: "bytes"; readonly dict: readonly string[]; readonly ids: Int32Array; readonly utf8: boolean };

/** A {@link ColumnChunk} as plain, structured-cloneable data. */
export interface PackedChunk {
  readonly rows: number;
  readonly columns: readonly PackedColumn[];
}

function float64(values: ArrayLike<number>): Float64Array {
  return values instanceof Float64Array ? values : Float64Array.from(values);
}

/** Pack a chunk for `postMessage`. */
export function packChunk(chunk: ColumnChunk): PackedChunk {
  const columns = chunk.columns.map(({ data, stats }): PackedColumn => {
    if (data.kind === "float") return { kind: "float", values: float64(data.values), valid: data.valid };
    if (data.kind === "int64") {
      const numbers = stats.kind === "bytes" ? new Float64Array(0) : float64(stats.values);
      return { kind: "int64", words: data.words, numbers, valid: data.valid };
    }
    const index = new Map<string, number>();
    const dict: string[] = [];
    const ids = new Int32Array(chunk.rows);
    const keys = data.keys;
    for (let r = 0; r < chunk.rows; r++) {
      const key = keys[r];
      if (key === null || key === undefined) {
        ids[r] = -1;
        continue;
      }
      let id = index.get(key);
      if (id === undefined) {
        id = dict.length;
        dict.push(key);
        index.set(key, id);
      }
      ids[r] = id;
    }
    return { kind: "bytes", dict, ids, utf8: stats.kind === "bytes" ? stats.utf8 : true };
  });
  return { rows: chunk.rows, columns };
}

/**
 * Rebuild a chunk from {@link packChunk}'s output; `names` are the writer's declared columns, in order. With
 * `rows`, only rows `first, first + step, ...` for each given `first` are filled in (those a thread writes).
 */
export function unpackChunk(packed: PackedChunk, names: readonly RowEncoderColumn[], rows?: { readonly firsts: readonly number[]; readonly step: number }): ColumnChunk {
  const firsts = rows?.firsts ?? [0];
  const step = rows?.step ?? 1;
  const columns = packed.columns.map((c, i): ChunkColumn => {
    const name = (names[i] as RowEncoderColumn).name;
    if (c.kind === "float") return { data: c, stats: { name, kind: "float", values: c.values, valid: c.valid } };
    if (c.kind === "int64") return { data: c, stats: { name, kind: "int64", values: c.numbers, valid: c.valid } };
    const keys = new Array<string | null>(packed.rows).fill(null);
    for (const first of firsts) {
      for (let r = first; r < packed.rows; r += step) {
        const id = c.ids[r] as number;
        keys[r] = id < 0 ? null : (c.dict[id] as string);
      }
    }
    return { data: { kind: "bytes", keys }, stats: { name, kind: "bytes", keys, utf8: c.utf8 } };
  });
  return { rows: packed.rows, columns };
}
