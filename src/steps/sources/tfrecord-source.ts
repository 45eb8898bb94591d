/**
 * `tfrecordSource`: existing TFRecord files of `tf.train.Example` (from TensorFlow, TFX's ExampleGen, or another
 * Koan) as a dataset. Every record's length and data CRC is checked; a corrupt, truncated or non-TFRecord file
 * fails the step with the file and the record's byte offset, and nothing is committed.
 *
 * Files: `paths` (files, folders or globs; a folder contributes its `*.tfrecord[.gz]`, `*.tfrecords`, `*.tfrec`
 * and TensorFlow shard files such as `data_tfrecord-00000-of-00012.gz`). Splits: from the folder layout — a
 * folder named `Split-<name>` (TFX) anywhere above the file, else the first subfolder under the folder given
 * (`train/`, `eval/`), else `split` — or given explicitly with `splits: { train: [...], eval: [...] }`.
 * Kinds: from `schema` (a `schema.pbtxt`, also attached to the dataset) when given, else inferred from the
 * values in a first pass (features only ever empty default to bytes). Records are re-encoded deterministically
 * (sorted keys, typed empty lists), so equal data always gives equal bytes.
 *
 * The fingerprint is the content hash of every file read (and of the schema), with its split.
 *
 * @example
 * ```ts
 * const { dataset } = tfrecordSource(undefined, {
 *   params: { paths: ["exports/taxi"], schema: "exports/taxi/schema.pbtxt" },   // Split-train/, Split-eval/
 * });
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { KoanError, messageOf } from "../../core/errors.js";
import { fileFingerprint } from "../../core/fingerprint.js";
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/type.js";
import { DatasetWriter } from "../../data/dataset/writer.js";
import { readExamples } from "../../data/example/files.js";
import type { FeatureKind } from "../../data/example/types.js";
import { formatError } from "../../data/tfrecord/errors.js";
import { readTFRecords } from "../../data/tfrecord/reader.js";
import { decodeExample } from "../../data/example/decode.js";
import { parseSchemaText } from "../../data/schema/pbtxt.js";
import { featureKindsFromSchema } from "../../data/schema/lookup.js";
import type { Schema } from "../../data/schema/types.js";
import { expandPaths, type FoundFile } from "./glob.js";
import { filesFingerprint, posixRelative } from "./fingerprint.js";

const SPLIT = z.string().regex(/^[A-Za-z0-9_-]+$/);

export const tfrecordSourceParams = z
  .object({
    /** TFRecord files, folders or globs (relative to the working folder). */
    paths: z.array(z.string().min(1)).min(1).optional(),
    /** Explicit splits: split name → files, folders or globs (instead of `paths`). */
    splits: z.record(SPLIT, z.array(z.string().min(1)).min(1)).optional(),
    /** A `schema.pbtxt` giving feature kinds (and attached to the dataset). */
    schema: z.string().min(1).optional(),
    /** Split of files the layout does not place (default `all`). */
    split: SPLIT.default("all"),
    /** Compression of the input files (default: detected per file). */
    compression: z.enum(["auto", "gzip", "none"]).default("auto"),
    /** Output shards per split (default: as many as the split's input files, at most 64). */
    shards: z.number().int().min(1).max(4096).optional(),
  })
  .strict()
  .refine((p) => (p.paths === undefined) !== (p.splits === undefined), { message: "give either paths or splits (not both)" });

export type TFRecordSourceParams = z.input<typeof tfrecordSourceParams>;
type Params = z.output<typeof tfrecordSourceParams>;

const TFRECORD_NAME = /\.(tfrecords?|tfrec)(\.gz)?$|-\d{5,}-of-\d{5,}/i;

/** The split a file belongs to, from the folder layout. */
export function splitOfFile(file: FoundFile, fallback: string): string {
  const rel = posixRelative(file.root, file.path).split("/");
  const folders = [basename(dirname(file.root)), basename(file.root), ...rel.slice(0, -1)];
  for (let i = folders.length - 1; i >= 0; i--) {
    const m = /^Split-([A-Za-z0-9_-]+)$/.exec(folders[i] as string);
    if (m) return m[1] as string;
  }
  if (rel.length >= 2 && /^[A-Za-z0-9_-]+$/.test(rel[0] as string)) return rel[0] as string;
  return fallback;
}

/** The files of every split, in split order (sorted by name unless given explicitly) and file-name order. */
export async function tfrecordFiles(p: Params): Promise<Map<string, FoundFile[]>> {
  const cwd = process.cwd();
  const accept = (path: string): boolean => TFRECORD_NAME.test(basename(path));
  const out = new Map<string, FoundFile[]>();
  if (p.splits) {
    for (const [split, patterns] of Object.entries(p.splits)) out.set(split, await expandPaths(patterns, cwd, accept));
    return out;
  }
  for (const f of await expandPaths(p.paths ?? [], cwd, accept)) {
    const split = splitOfFile(f, p.split);
    out.set(split, [...(out.get(split) ?? []), f]);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function readSchema(path: string): Promise<Schema> {
  const file = resolve(path);
  const text = await readFile(file, "utf8").catch((e: unknown) => {
    throw new KoanError("DATA_INVALID", `cannot read the schema ${file}: ${(e as NodeJS.ErrnoException).code ?? messageOf(e)}`);
  });
  return parseSchemaText(text, file);
}

/** First pass without a schema: the kind of every feature that ever has values (also checks every record). */
async function inferKinds(files: Map<string, FoundFile[]>, compression: Params["compression"]): Promise<Map<string, FeatureKind>> {
  const kinds = new Map<string, FeatureKind>();
  const empty = new Set<string>();
  for (const list of files.values()) {
    for (const { path } of list) {
      const reader = readTFRecords(path, { compression });
      for await (const record of reader) {
        let ex;
        try {
          ex = decodeExample(record);
        } catch (e) {
          const where = { file: path, offset: reader.recordOffset, record: reader.recordIndex };
          throw formatError(`record ${where.record} at byte offset ${where.offset}: ${messageOf(e)}`, where, undefined, e);
        }
        for (const [name, f] of ex) {
          if (f.values.length === 0) {
            if (!kinds.has(name)) empty.add(name);
            continue;
          }
          const known = kinds.get(name);
          if (known === undefined) kinds.set(name, f.kind);
          else if (known !== f.kind) {
            throw formatError(`record ${reader.recordIndex} at byte offset ${reader.recordOffset}: feature "${name}" is ${f.kind} here but ${known} in earlier records`, { file: path, offset: reader.recordOffset, record: reader.recordIndex }, "give a schema.pbtxt with the schema parameter");
          }
        }
      }
    }
  }
  for (const name of empty) if (!kinds.has(name)) kinds.set(name, "bytes");
  return kinds;
}

/** The built-in TFRecord source step. */
export const tfrecordSource = step({
  name: "tfrecord_source",
  description: "read existing TFRecord files of tf.train.Example into a dataset",
  params: tfrecordSourceParams,
  outputs: { dataset: dataset() },
  fingerprint: async (p) => {
    const files = await tfrecordFiles(p);
    const named = [...files].flatMap(([split, list]) => list.map((f) => ({ path: f.path, name: `${split}:${posixRelative(f.root, f.path)}` })));
    return filesFingerprint(named, p.schema ? await fileFingerprint(p.schema) : null);
  },
  run: async (ctx, _inputs, p) => {
    const files = await tfrecordFiles(p);
    const schema = p.schema ? await readSchema(p.schema) : undefined;
    const kinds = schema ? featureKindsFromSchema(schema) : await inferKinds(files, p.compression);
    const shards = Object.fromEntries([...files].map(([split, list]) => [split, p.shards ?? Math.min(64, list.length)]));
    const roots = [...new Set([...files.values()].flat().map((f) => f.root))];
    const writer = await DatasetWriter.create(join(ctx.scratchDir, "dataset"), {
      splits: [...files.keys()],
      shards,
      kinds: Object.fromEntries(kinds),
      source: {
        kind: "tfrecord",
        uri: roots.length === 1 ? pathToFileURL(roots[0] as string).href : roots.map((r) => pathToFileURL(r).href).join(" "),
        files: [...files.values()].reduce((n, l) => n + l.length, 0),
        ...(schema && p.schema ? { schema: pathToFileURL(resolve(p.schema)).href } : {}),
      },
    });
    try {
      if (schema) writer.setSchema(schema);
      for (const [split, list] of files) {
        for (const { path } of list) {
          let index = 0;
          for await (const ex of readExamples(path, { compression: p.compression, kinds })) {
            for (const [name, f] of ex) {
              const want = kinds.get(name);
              if (want !== undefined && f.values.length > 0 && f.kind !== want) {
                throw new KoanError("DATA_INVALID", `${path}: record ${index}: feature "${name}" holds ${f.kind} values but the schema says ${want}`, { details: { file: path, record: index, feature: name } });
              }
            }
            await writer.write(split, ex);
            index++;
          }
        }
        ctx.log.info(`split ${split}: ${writer.count(split)} records from ${list.length} file(s)`);
      }
    } catch (e) {
      await writer.abort();
      throw e;
    }
    const total = [...files.keys()].reduce((n, s) => n + writer.count(s), 0);
    if (total === 0) {
      await writer.abort();
      throw new KoanError("DATA_INVALID", `the TFRecord files hold no records (${[...files.values()].flat().map((f) => f.path).join(", ")})`);
    }
    ctx.log.metric("rows", total);
    return { dataset: await writer.close() };
  },
});
