/**
 * `schema_gen`: infer a schema (types, presence, value counts, categorical domains) from the statistics of one
 * split (`train` when there is one, else the first).
 * @module
 */
import { z } from "zod";
import { KoanError } from "../../core/errors.js";
import { step } from "../../core/step.js";
import { inferSchema } from "../../data/schema/infer.js";
import { schemaType, statisticsType } from "./types.js";

export const schemaGen = step({
  name: "schema_gen",
  description: "infer a schema from statistics",
  inputs: { statistics: statisticsType() },
  outputs: { schema: schemaType() },
  params: z.object({ split: z.string().optional(), maxStringDomainSize: z.number().int().min(1).optional() }).strict(),
  run: (_ctx, { statistics }, p) => {
    const name = p.split ?? (statistics.some((s) => s.name === "train") ? "train" : statistics[0]?.name);
    const stats = statistics.find((s) => s.name === name);
    if (!stats) throw new KoanError("DATA_INVALID", `no statistics for split "${String(p.split)}"`, { hint: `splits: ${statistics.map((s) => s.name).join(", ")}` });
    const schema = inferSchema(stats, p.maxStringDomainSize ? { maxStringDomainSize: p.maxStringDomainSize } : {});
    return { schema: JSON.parse(JSON.stringify(schema)) };
  },
});
