/**
 * The feature spec a trainer works from: the numeric model inputs (name, float32, shape) and the label (name, task,
 * class names). It is plain data, so the transform step (or a user) can produce it and the trainer never needs
 * the transform itself: `featureSpec(transform)` gives one, and {@link featureSpecFromDataset} infers one for a
 * dataset that is numeric already.
 *
 * @example
 * ```ts
 * const spec: FeatureSpec = {
 *   inputs: [{ name: "bill_length_mm", dtype: "float32", shape: [] }, { name: "island_onehot", dtype: "float32", shape: [3] }],
 *   label: { name: "species", kind: "multiclass", classes: ["Adelie", "Chinstrap", "Gentoo"] },
 * };
 * ```
 * @module
 */
import { z } from "zod";
import { KoanError } from "../core/errors.js";
import type { Dataset } from "../data/dataset/dataset.js";

/** The learning task, which fixes the loss, the last activation and the metrics. */
export type TaskKind = "binary" | "multiclass" | "regression";

/** One model input: a feature of the dataset, as float32 values of a fixed shape (`[]` for a scalar). */
export interface FeatureInput {
  readonly name: string;
  readonly dtype: "float32";
  readonly shape: readonly number[];
}

/** The label: a feature of the dataset and the task. */
export interface LabelSpec {
  readonly name: string;
  readonly kind: TaskKind;
  /**
   * Class names, by class index. A string label must be one of them; a numeric label is the index itself.
   * For `binary`, `classes[1]` is the positive class.
   */
  readonly classes?: readonly string[];
}

/** What a trainer needs to know about its data. */
export interface FeatureSpec {
  readonly inputs: readonly FeatureInput[];
  readonly label: LabelSpec;
}

const NAME = z.string().min(1);

/** The zod schema of a {@link FeatureSpec}. */
export const featureSpecSchema = z
  .object({
    inputs: z
      .array(z.object({ name: NAME, dtype: z.literal("float32"), shape: z.array(z.number().int().min(1)) }).strict())
      .min(1),
    label: z
      .object({ name: NAME, kind: z.enum(["binary", "multiclass", "regression"]), classes: z.array(z.string()).optional() })
      .strict(),
  })
  .strict();

/** Number of float32 values of one input. */
export function inputWidth(input: FeatureInput): number {
  return input.shape.reduce((a, b) => a * b, 1);
}

/** Check a spec's own consistency (`where` names it in errors); returns it. */
export function checkFeatureSpec(spec: unknown, where = "feature spec"): FeatureSpec {
  const parsed = featureSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new KoanError("USAGE", `${where} is invalid: ${["$", ...(first?.path ?? []).map(String)].join(".")}: ${first?.message ?? "bad value"}`);
  }
  const s = parsed.data as FeatureSpec;
  const seen = new Set<string>();
  for (const i of s.inputs) {
    if (seen.has(i.name)) throw new KoanError("USAGE", `${where}: input "${i.name}" is listed twice`);
    seen.add(i.name);
  }
  if (seen.has(s.label.name)) throw new KoanError("USAGE", `${where}: the label "${s.label.name}" is also an input`, { hint: "remove it from inputs" });
  const classes = s.label.classes;
  if (classes) {
    if (new Set(classes).size !== classes.length) throw new KoanError("USAGE", `${where}: label classes must be distinct`);
    if (s.label.kind === "binary" && classes.length !== 2) throw new KoanError("USAGE", `${where}: a binary label needs exactly 2 classes (negative, positive), got ${classes.length}`);
    if (s.label.kind === "multiclass" && classes.length < 2) throw new KoanError("USAGE", `${where}: a multiclass label needs at least 2 classes`);
    if (s.label.kind === "regression") throw new KoanError("USAGE", `${where}: a regression label has no classes`);
  }
  return s;
}

/** Check that every input is a numeric feature of `dataset` and that the label exists with a usable kind. */
export function checkSpecAgainstDataset(spec: FeatureSpec, dataset: Dataset): void {
  const kinds = dataset.features;
  const known = Object.keys(kinds).join(", ") || "none";
  for (const i of spec.inputs) {
    const kind = kinds[i.name];
    if (kind === undefined) throw new KoanError("DATA_INVALID", `model input "${i.name}" is not a feature of the dataset`, { hint: `features: ${known}` });
    if (kind === "bytes") throw new KoanError("DATA_INVALID", `model input "${i.name}" holds strings; the trainer needs numbers`, { hint: "encode it in the transform (vocabulary, one-hot, hashing)" });
  }
  const label = kinds[spec.label.name];
  if (label === undefined) throw new KoanError("DATA_INVALID", `label "${spec.label.name}" is not a feature of the dataset`, { hint: `features: ${known}` });
  if (label === "bytes" && spec.label.kind === "regression") throw new KoanError("DATA_INVALID", `label "${spec.label.name}" holds strings; a regression label must be numeric`);
  if (label === "bytes" && !spec.label.classes) {
    throw new KoanError("DATA_INVALID", `label "${spec.label.name}" holds strings but the feature spec names no classes`, { hint: "set label.classes (class names in index order)" });
  }
}

/**
 * Infer a spec for a dataset whose features are numeric already: every float/int64 feature except the label (or
 * the ones named) becomes an input, with its width read from the first rows of `split`.
 * @example
 * ```ts
 * const spec = await featureSpecFromDataset(data, { label: { name: "y", kind: "regression" } });
 * ```
 */
export async function featureSpecFromDataset(
  dataset: Dataset,
  options: { label: LabelSpec; inputs?: readonly string[]; split?: string; probeRows?: number },
): Promise<FeatureSpec> {
  const split = options.split ?? dataset.splits[0];
  if (split === undefined) throw new KoanError("DATA_INVALID", "the dataset has no splits");
  const names = options.inputs ?? Object.keys(dataset.features).filter((n) => n !== options.label.name && dataset.features[n] !== "bytes");
  const widths = new Map<string, number>();
  let seen = 0;
  for await (const ex of dataset.examples(split)) {
    for (const n of names) {
      const len = ex.get(n)?.values.length ?? 0;
      if (len > 0) widths.set(n, Math.max(widths.get(n) ?? 0, len));
    }
    if (++seen >= (options.probeRows ?? 100)) break;
  }
  const spec = {
    inputs: names.map((name) => ({ name, dtype: "float32" as const, shape: (widths.get(name) ?? 1) === 1 ? [] : [widths.get(name) as number] })),
    label: options.label,
  };
  const checked = checkFeatureSpec(spec, "inferred feature spec");
  checkSpecAgainstDataset(checked, dataset);
  return checked;
}
