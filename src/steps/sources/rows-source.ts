/**
 * `rowsSource`: a dataset from rows written in TypeScript (JSON values in the step's parameters, so they are
 * part of the cache key).
 *
 * @example
 * ```ts
 * const { dataset } = rowsSource(undefined, { params: { rows: [{ x: 1, label: "a" }, { x: 2, label: "b" }] } });
 * ```
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { KoanError } from "../../core/errors.js";
import { step } from "../../core/step.js";
import { DatasetWriter } from "../../data/dataset/writer.js";
import { dataset } from "../../data/dataset/type.js";
import type { Row } from "../../data/example/rows.js";

const scalar = z.union([z.number(), z.string(), z.null()]);

export const rowsSource = step({
  name: "rows_source",
  description: "a dataset from in-memory rows",
  params: z
    .object({
      rows: z.array(z.record(z.string(), z.union([scalar, z.array(z.union([z.number(), z.string()]))]))).min(1),
      /** Kinds of columns (numbers default to float; use int64 for integers). */
      columns: z.record(z.string(), z.enum(["int64", "float", "bytes"])).optional(),
      split: z.string().regex(/^[A-Za-z0-9_-]+$/).default("all"),
      shards: z.number().int().min(1).default(1),
    })
    .strict(),
  outputs: { dataset: dataset() },
  run: async (ctx, _inputs, p) => {
    const kinds = p.columns ?? {};
    const writer = await DatasetWriter.create(join(ctx.scratchDir, "dataset"), { splits: [p.split], shards: p.shards, kinds, source: { kind: "rows", rows: p.rows.length } });
    try {
      for (const [i, raw] of p.rows.entries()) {
        const row: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(raw)) {
          if (kinds[k] === "int64" && v !== null) {
            const vals = Array.isArray(v) ? v : [v];
            if (!vals.every((x) => typeof x === "number" && Number.isInteger(x))) throw new KoanError("DATA_INVALID", `row ${i}, column "${k}": expected integers for an int64 column`);
            row[k] = Array.isArray(v) ? v.map((x) => BigInt(x)) : BigInt(v as number);
          } else row[k] = v;
        }
        await writer.write(p.split, row as Row);
      }
    } catch (e) {
      await writer.abort();
      throw e;
    }
    return { dataset: await writer.close() };
  },
});
