/**
 * Label values to numbers: a class index for classification (from a numeric label, or a string's position in the
 * spec's classes), the value itself for regression. Shared by the trainer and the evaluator.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { Feature } from "../data/example/types.js";
import type { RowValue } from "../data/example/rows.js";
import type { LabelSpec } from "./feature-spec.js";

const utf8 = new TextDecoder("utf-8");

/** Turns label values into numbers. */
export class LabelEncoder {
  readonly #index: Map<string, number> | undefined;

  constructor(readonly label: LabelSpec) {
    this.#index = label.classes ? new Map(label.classes.map((c, i) => [c, i])) : undefined;
  }

  /** Number of classes when known from the spec (2 for binary). */
  get knownClasses(): number | undefined {
    if (this.label.kind === "binary") return 2;
    return this.label.classes?.length;
  }

  /** Encode one label of an Example (`where` describes the row for errors). */
  fromFeature(f: Feature | undefined, where: () => string): number {
    if (!f || f.values.length === 0) return this.missing(where);
    if (f.values.length > 1) throw new KoanError("DATA_INVALID", `label "${this.label.name}" has ${f.values.length} values in ${where()}; a label is one value`);
    if (f.kind === "bytes") return this.fromString(utf8.decode(f.values[0]), where);
    return this.fromNumber(f.kind === "int64" ? Number(f.values[0]) : (f.values[0] as number), where);
  }

  /** Encode one label of a plain row. */
  fromRow(v: RowValue, where: () => string): number {
    if (v === null || v === undefined) return this.missing(where);
    if (Array.isArray(v)) {
      if (v.length !== 1) throw new KoanError("DATA_INVALID", `label "${this.label.name}" has ${v.length} values in ${where()}; a label is one value`);
      return this.fromRow(v[0] as RowValue, where);
    }
    if (typeof v === "string") return this.fromString(v, where);
    if (v instanceof Uint8Array) return this.fromString(utf8.decode(v), where);
    return this.fromNumber(Number(v), where);
  }

  private missing(where: () => string): never {
    throw new KoanError("DATA_INVALID", `label "${this.label.name}" is missing in ${where()}`, { hint: "drop rows without a label before training and evaluation" });
  }

  private fromString(s: string, where: () => string): number {
    if (this.label.kind === "regression") throw new KoanError("DATA_INVALID", `label "${this.label.name}" is the string ${JSON.stringify(s)} in ${where()}; a regression label must be numeric`);
    const i = this.#index?.get(s);
    if (i === undefined) {
      throw new KoanError("DATA_INVALID", `label "${this.label.name}" is ${JSON.stringify(s)} in ${where()}, which is not one of the classes`, {
        hint: `classes: ${(this.label.classes ?? []).join(", ") || "none given"}`,
      });
    }
    return i;
  }

  private fromNumber(x: number, where: () => string): number {
    if (!Number.isFinite(x)) throw new KoanError("DATA_INVALID", `label "${this.label.name}" is ${x} in ${where()}`);
    if (this.label.kind === "regression") return x;
    const k = this.knownClasses;
    if (!Number.isInteger(x) || x < 0 || (k !== undefined && x >= k)) {
      throw new KoanError("DATA_INVALID", `label "${this.label.name}" is ${x} in ${where()}; a ${this.label.kind} label must be a class index${k === undefined ? " (0, 1, ...)" : ` from 0 to ${k - 1}`}`);
    }
    return x;
  }
}
