/**
 * Artifact previews for the Artifact page: JSON values, text files, folder listings, raw bytes, dataset sample
 * rows. Each kind of artifact has a provider; providers for new kinds (models, statistics, ...) are added with
 * {@link registerPreview}. A preview never throws: a corrupt or unreadable artifact gives `{ kind: "error" }`,
 * shown in place of the content.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { Koan } from "../client/client.js";
import { readBlob } from "../stores/artifact/verify.js";
import type { ArtifactRecord } from "../stores/metadata/types.js";
import type { JsonValue, Preview } from "./api-types.js";
import { jsonSafe } from "./json-safe.js";
import { redact } from "./redact.js";
import { modelPreviews } from "./model-previews.js";

/** Shows an artifact it `accepts`. */
export interface PreviewProvider {
  readonly name: string;
  accepts(a: ArtifactRecord): boolean;
  preview(koan: Koan, a: ArtifactRecord): Promise<Preview>;
}

/** Bytes of JSON or text shown at most. */
export const TEXT_LIMIT = 256 * 1024;
/** Files up to this size are read whole (and their hash checked); larger ones only their head. */
const VERIFY_LIMIT = 4 * 1024 * 1024;
const LISTING_LIMIT = 1000;
const SAMPLE_ROWS = 10;

interface TreeFile {
  path: string;
  hash: string;
  size: number;
}

async function treeFiles(koan: Koan, a: ArtifactRecord): Promise<TreeFile[]> {
  const manifest = JSON.parse((await readBlob(koan.artifacts, a.contentHash)).toString("utf8")) as { files?: TreeFile[] };
  if (!Array.isArray(manifest.files)) throw new KoanError("ARTIFACT_CORRUPT", `the manifest of artifact ${a.id} lists no files`);
  return manifest.files;
}

async function head(koan: Koan, hash: string, size: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (size <= VERIFY_LIMIT) {
    const all = await readBlob(koan.artifacts, hash);
    return { bytes: all.subarray(0, TEXT_LIMIT), truncated: all.length > TEXT_LIMIT };
  }
  const chunks: Buffer[] = [];
  let n = 0;
  const stream = await koan.artifacts.get(hash);
  for await (const c of stream) {
    chunks.push(c as Buffer);
    n += (c as Buffer).length;
    if (n >= TEXT_LIMIT) break;
  }
  stream.destroy();
  return { bytes: Buffer.concat(chunks).subarray(0, TEXT_LIMIT), truncated: true };
}

function looksText(b: Buffer): boolean {
  const sample = b.subarray(0, 8192);
  if (sample.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample.length < b.length ? sample.subarray(0, Math.max(0, sample.length - 4)) : sample);
    return true;
  } catch {
    return false;
  }
}

function bytesPreview(name: string | null, b: Buffer, size: number, truncated: boolean): Preview {
  if (looksText(b)) return { kind: "text", name: name ?? "", text: b.toString("utf8"), size, truncated };
  return { kind: "binary", name, size, hex: b.subarray(0, 512).toString("hex") };
}

const jsonProvider: PreviewProvider = {
  name: "json",
  accepts: (a) => a.materializer === "koan.json",
  async preview(koan, a) {
    const text = JSON.stringify(redact(await koan.load(a)), null, 2) ?? "null";
    return { kind: "json", text: text.length > TEXT_LIMIT ? text.slice(0, TEXT_LIMIT) : text, truncated: text.length > TEXT_LIMIT };
  },
};

const fileProvider: PreviewProvider = {
  name: "file",
  accepts: (a) => a.materializer === "koan.file",
  async preview(koan, a) {
    const [f] = await treeFiles(koan, a);
    if (!f) return { kind: "none", message: "the artifact holds no file" };
    const { bytes, truncated } = await head(koan, f.hash, f.size);
    return bytesPreview(f.path, bytes, f.size, truncated);
  },
};

const dirProvider: PreviewProvider = {
  name: "dir",
  accepts: (a) => a.materializer === "koan.dir",
  async preview(koan, a) {
    const files = await treeFiles(koan, a);
    return { kind: "listing", files: files.slice(0, LISTING_LIMIT).map((f) => ({ path: f.path, size: f.size })), total: files.length, truncated: files.length > LISTING_LIMIT };
  },
};

const bytesProvider: PreviewProvider = {
  name: "bytes",
  accepts: (a) => a.materializer === "koan.bytes",
  async preview(koan, a) {
    const { bytes, truncated } = await head(koan, a.contentHash, a.size);
    return bytesPreview(null, bytes, a.size, truncated);
  },
};

/** A loaded dataset, as far as previews need it (the Dataset class of the data issue has these members). */
interface DatasetLike {
  readonly splits: string[];
  rowCount?(split?: string): number;
  sample(split: string, n?: number): Promise<Record<string, unknown>[]>;
}

function isDatasetLike(v: unknown): v is DatasetLike {
  return v !== null && typeof v === "object" && Array.isArray((v as DatasetLike).splits) && typeof (v as DatasetLike).sample === "function";
}

const datasetProvider: PreviewProvider = {
  name: "dataset",
  accepts: (a) => a.type === "dataset",
  async preview(koan, a) {
    const value = await koan.load(a);
    if (!isDatasetLike(value)) return { kind: "none", message: "this dataset's value has no sample rows to show" };
    const splits = [];
    for (const name of value.splits) {
      const sample = (await value.sample(name, SAMPLE_ROWS)).map((r) => jsonSafe(r) as Record<string, JsonValue>);
      const columns = [...new Set(sample.flatMap((r) => Object.keys(r)))];
      splits.push({ name, rows: value.rowCount ? value.rowCount(name) : null, columns, sample });
    }
    return { kind: "table", splits };
  },
};

const providers: PreviewProvider[] = [...modelPreviews, datasetProvider, jsonProvider, fileProvider, dirProvider, bytesProvider];

/** Add a preview provider; it is tried before the built-in ones. */
export function registerPreview(p: PreviewProvider): void {
  providers.unshift(p);
}

/** The preview of an artifact, or the error that kept it from being read. */
export async function previewArtifact(koan: Koan, a: ArtifactRecord): Promise<Preview> {
  const p = providers.find((x) => x.accepts(a));
  if (!p) return { kind: "none", message: `no preview for artifacts of type "${a.type}" (materializer ${a.materializer})` };
  try {
    return await p.preview(koan, a);
  } catch (e) {
    if (e instanceof KoanError) return { kind: "error", code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    return { kind: "error", code: "ARTIFACT_UNREADABLE", message: e instanceof Error ? e.message : String(e) };
  }
}
