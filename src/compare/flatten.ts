/**
 * Flattening of a run's resolved parameters (`config.params`, one object per step) into `step.key` entries, so
 * runs can be compared, filtered and charted parameter by parameter.
 * @module
 */
import type { JsonValue } from "../core/hash.js";

/**
 * Flatten `{ train: { epochs: 60, opt: { lr: 0.1 } } }` into `{ "train.epochs": 60, "train.opt.lr": 0.1 }`.
 * Arrays and scalars are leaves; empty objects are dropped. Keys come out sorted.
 */
export function flattenParams(params: JsonValue | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  const walk = (value: JsonValue, prefix: string): void => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else if (prefix) out[prefix] = value;
  };
  if (params !== undefined) walk(params, "");
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The resolved parameters of a run record's `config` (`{ params: {...} }`), flattened. */
export function runParams(config: JsonValue): Record<string, JsonValue> {
  const params = config !== null && typeof config === "object" && !Array.isArray(config) ? config.params : undefined;
  return flattenParams(params);
}
