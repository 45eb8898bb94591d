/**
 * `validate`: check every split's statistics against a schema (missing or new columns, type changes,
 * out-of-domain values, too many missing values). Fails the step on anomalies when `failOnAnomalies` is set.
 * @module
 */
import { z } from "zod";
import { KoanError } from "../../core/errors.js";
import { step } from "../../core/step.js";
import { validateStatistics } from "../../data/anomalies/validate.js";
import type { Anomaly } from "../../data/anomalies/types.js";
import { anomaliesType, schemaType, statisticsType } from "./types.js";

export const validate = step({
  name: "validate",
  description: "validate statistics against a schema",
  inputs: { statistics: statisticsType(), schema: schemaType() },
  outputs: { anomalies: anomaliesType() },
  params: z.object({ failOnAnomalies: z.boolean().default(false) }).strict(),
  run: (ctx, { statistics, schema }, p) => {
    const anomalies: Record<string, Anomaly[]> = {};
    for (const s of statistics) {
      anomalies[s.name] = validateStatistics(s, schema);
      for (const a of anomalies[s.name] ?? []) ctx.log.warn(`[${s.name}] ${a.feature ?? "(dataset)"}: ${a.shortDescription}: ${a.description}`);
    }
    const total = Object.values(anomalies).reduce((n, a) => n + a.length, 0);
    ctx.log.metric("anomalies", total);
    if (p.failOnAnomalies && total > 0) throw new KoanError("DATA_INVALID", `${total} anomal${total === 1 ? "y" : "ies"} found (see the step log)`);
    return { anomalies: JSON.parse(JSON.stringify(anomalies)) };
  },
});
