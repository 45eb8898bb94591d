/**
 * Columnar input to the statistics accumulator: a chunk of rows in which every column is one single-valued
 * feature (a missing value is a present, empty feature, as table sources write NULL). Adding a chunk gives the
 * same state as adding its rows one Example at a time, without building Examples.
 * @module
 */

/** A numeric column: `values[r]` is row r's value where `valid` is null or `valid[r] === 1`, else the row is NULL. */
export interface NumericStatsColumn {
  readonly name: string;
  /** `float` values are rounded to float32 (what the Example stores) before they are counted. */
  readonly kind: "float" | "int64";
  /** Values as numbers (int64 beyond 2^53 as `Number(bigint)`, as the Example path counts them). */
  readonly values: ArrayLike<number>;
  /** 1 = a value, 0 = NULL; null when no row is NULL. */
  readonly valid: Uint8Array | null;
}

/** A string column: `keys[r]` is row r's value as a binary string (one char per UTF-8 byte), or null for NULL. */
export interface BytesStatsColumn {
  readonly name: string;
  readonly kind: "bytes";
  readonly keys: readonly (string | null)[];
  /**
   * Whether every key is well-formed UTF-8 (true for keys made from JS strings); when false each key is checked.
   */
  readonly utf8: boolean;
}

/** One column of a {@link StatisticsAccumulator.addColumns} chunk. */
export type StatsColumn = NumericStatsColumn | BytesStatsColumn;

/**
 * The binary string (one char per UTF-8 byte) of a JS string: the string itself when it is ASCII.
 * @example
 * binaryKeyOfText("abc") === "abc"; binaryKeyOfText("é") === "\u00c3\u00a9";
 */
export function binaryKeyOfText(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) return Buffer.from(text, "utf8").toString("latin1");
  }
  return text;
}
