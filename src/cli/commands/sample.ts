/** `koan sample <dataset>`: the first rows of a split, as a table or JSON. @module */
import { KoanError } from "../../core/errors.js";
import type { RowValue } from "../../data/example/rows.js";
import { resolveDataset } from "../../data/versions/resolve.js";
import { withClient, type ProjectOptions } from "../open.js";
import type { Koan } from "../../client/client.js";
import type { Dataset } from "../../data/dataset/dataset.js";
import type { FittedTransform } from "../../transform/format.js";
import { transformedSample } from "../../transform/sample.js";
import { EXIT, paint, printJson, table } from "../output.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A JSON-safe form of one value: UTF-8 text as strings, other bytes as `base64:...`, big int64s as strings. */
export function plainValue(v: RowValue): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => plainValue(x as RowValue));
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) {
    try {
      return utf8.decode(v);
    } catch {
      return `base64:${Buffer.from(v).toString("base64")}`;
    }
  }
  return v;
}

/** The shortest decimal that reads back as the same float32 (`12.8`, not `12.800000190734863`). */
export function shortFloat32(x: number): number {
  if (!Number.isFinite(x)) return x;
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

/** One value for a table cell (long text shortened, binary shown by size). */
export function cell(v: unknown): string {
  if (v === null) return "∅";
  if (Array.isArray(v)) return `[${v.map(cell).join(", ")}]`;
  const s = String(v);
  if (s.startsWith("base64:")) return `<${Buffer.from(s.slice(7), "base64").length} bytes>`;
  return s.length > 32 ? `${s.slice(0, 29)}...` : s;
}

export default async function sample(ref: string, opts: ProjectOptions & { rows: string; split?: string; transform?: string; json?: boolean }): Promise<number> {
  const n = Number(opts.rows);
  if (!Number.isInteger(n) || n < 1) throw new KoanError("USAGE", `-n must be a whole number ≥ 1, got "${opts.rows}"`);
  return withClient(opts, async (koan) => {
    const { artifact, dataset } = await resolveDataset(koan, ref);
    const split = opts.split ?? dataset.splits[0];
    if (split === undefined) throw new KoanError("DATA_INVALID", `dataset ${artifact.id} has no splits`);
    if (opts.transform) return sampleTransformed(koan, opts.transform, dataset, split, n, Boolean(opts.json), artifact.id);
    const floats = (v: RowValue): RowValue => (typeof v === "number" ? shortFloat32(v) : Array.isArray(v) ? v.map((x) => (typeof x === "number" ? shortFloat32(x) : x)) : v);
    const rows = (await dataset.sample(split, n, { bytes: "bytes" })).map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plainValue(dataset.features[k] === "float" ? floats(v) : v)])),
    );
    if (opts.json) {
      printJson(rows);
      return EXIT.ok;
    }
    const columns = Object.keys(dataset.features);
    process.stdout.write(`${paint("dim", `dataset ${artifact.id}, split "${split}": ${rows.length} of ${dataset.rowCount(split)} rows`)}\n`);
    process.stdout.write(`${table(rows.map((r) => Object.fromEntries(columns.map((c) => [c, c in r ? cell(r[c]) : ""]))), columns)}\n`);
    return EXIT.ok;
  });
}

/** Raw rows beside their transformed form (`--transform <ref>`): what the model sees for each raw row. */
async function sampleTransformed(koan: Koan, ref: string, dataset: Dataset, split: string, n: number, json: boolean, datasetId: string): Promise<number> {
  const art = await koan.resolveArtifact(ref);
  if (art.type !== "transform") throw new KoanError("USAGE", `--transform ${ref} is a ${art.type} artifact, not a transform`, { hint: "give the transform output of a preprocess step, e.g. <run>/preprocess/transform" });
  const transform = (await koan.load(art)) as FittedTransform;
  const rows = await transformedSample(dataset, transform, { split, n });
  const plainRaw = (r: Record<string, RowValue>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plainValue(v)]));
  if (json) {
    printJson(rows.map((r) => ({ raw: plainRaw(r.raw), transformed: r.transformed })));
    return EXIT.ok;
  }
  const rawCols = Object.keys(dataset.features);
  const outCols = [...new Set(rows.flatMap((r) => Object.keys(r.transformed)))];
  const columns = [...rawCols, ...outCols.map((c) => `→ ${c}`)];
  process.stdout.write(`${paint("dim", `dataset ${datasetId}, split "${split}", transformed by ${art.id}: raw columns, then → transformed ones`)}\n`);
  const body = rows.map((r) => {
    const raw = plainRaw(r.raw);
    return Object.fromEntries([...rawCols.map((c) => [c, c in raw ? cell(raw[c]) : ""]), ...outCols.map((c) => [`→ ${c}`, cell(r.transformed[c] ?? null)])]);
  });
  process.stdout.write(`${table(body, columns)}\n`);
  return EXIT.ok;
}
