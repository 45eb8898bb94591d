/**
 * `imageSource`: a folder of images as a dataset, one Example per image with its encoded bytes and the label
 * given by the folder it is in — the layout of Keras' `image_dataset_from_directory` and TFDS' `ImageFolder`:
 *
 * ```
 * photos/cat/001.jpg      layout "label"        → split `split` (default "all")
 * photos/dog/002.png
 * photos/train/cat/1.jpg  layout "split/label"  → split "train"
 * ```
 *
 * Features: `image` (bytes, the file as is), `label` (bytes, the folder name), `label_id` (int64, the label's
 * index among all labels in sorted order), `filename` (bytes, the path under the root). Images are ordered by
 * split, label and file name (code-point order), so the same folder always gives the same dataset bytes.
 * Files whose extension is not an image extension and hidden files are ignored; a folder without images, or an
 * image outside any label folder, fails the step. The fingerprint is the content hash of every image.
 *
 * @example
 * ```ts
 * const { dataset } = imageSource(undefined, { params: { path: "data/flowers", layout: "split/label" } });
 * ```
 * @module
 */
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { KoanError } from "../../core/errors.js";
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/type.js";
import { DatasetWriter } from "../../data/dataset/writer.js";
import type { Example, Feature } from "../../data/example/types.js";
import { walkFiles } from "./glob.js";
import { filesFingerprint, posixRelative } from "./fingerprint.js";

const DEFAULT_EXTENSIONS = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff"];

export const imageSourceParams = z
  .object({
    /** The root folder. */
    path: z.string().min(1),
    /** `label`: `<root>/<label>/<image>`; `split/label`: `<root>/<split>/<label>/<image>`. */
    layout: z.enum(["label", "split/label"]).default("label"),
    /** Split name for layout `label`. */
    split: z.string().regex(/^[A-Za-z0-9_-]+$/).default("all"),
    /** File extensions taken as images (case-insensitive, without the dot). */
    extensions: z.array(z.string().regex(/^[A-Za-z0-9]+$/)).min(1).default(DEFAULT_EXTENSIONS),
    shards: z.number().int().min(1).max(4096).default(1),
  })
  .strict();

export type ImageSourceParams = z.input<typeof imageSourceParams>;
type Params = z.output<typeof imageSourceParams>;

/** One image found under the root. */
export interface ImageFile {
  readonly path: string;
  /** Path under the root, POSIX separators. */
  readonly name: string;
  readonly split: string;
  readonly label: string;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The images under the root in dataset order (split, label, name). */
export async function listImages(p: Params): Promise<ImageFile[]> {
  const root = resolve(p.path);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new KoanError("DATA_INVALID", `${root} does not exist or is not a folder`, { details: { file: root } });
  const exts = new Set(p.extensions.map((e) => `.${e.toLowerCase()}`));
  const depth = p.layout === "label" ? 2 : 3;
  const out: ImageFile[] = [];
  for (const path of await walkFiles(root)) {
    if (!exts.has(extname(path).toLowerCase())) continue;
    const name = posixRelative(root, path);
    const parts = name.split("/");
    if (parts.length !== depth) {
      throw new KoanError("DATA_INVALID", `image ${name} under ${root} is not at ${p.layout === "label" ? "<label>/<image>" : "<split>/<label>/<image>"}`, {
        hint: p.layout === "label" ? 'put each image in a folder named after its label, or use layout "split/label"' : "put each image in <split>/<label>/",
        details: { file: path },
      });
    }
    const split = depth === 3 ? (parts[0] as string) : p.split;
    if (!/^[A-Za-z0-9_-]+$/.test(split)) throw new KoanError("DATA_INVALID", `folder "${split}" under ${root} is not a valid split name (letters, digits, "_", "-")`);
    out.push({ path, name, split, label: parts[depth - 2] as string });
  }
  if (!out.length) {
    throw new KoanError("DATA_INVALID", `${root} holds no images (looked for ${p.extensions.map((e) => `.${e}`).join(", ")} in ${p.layout === "label" ? "<label>/" : "<split>/<label>/"} subfolders)`, { details: { file: root } });
  }
  return out.sort((a, b) => cmp(a.split, b.split) || cmp(a.label, b.label) || cmp(a.name, b.name));
}

const utf8 = new TextEncoder();
const bytes = (s: string): Feature => ({ kind: "bytes", values: [utf8.encode(s)] });

/** The built-in image folder source step. */
export const imageSource = step({
  name: "image_source",
  description: "read a folder of images (label = folder name) into a dataset",
  params: imageSourceParams,
  outputs: { dataset: dataset() },
  fingerprint: async (p) => filesFingerprint((await listImages(p)).map((f) => ({ path: f.path, name: f.name })), p.layout),
  run: async (ctx, _inputs, p) => {
    const images = await listImages(p);
    const labels = [...new Set(images.map((i) => i.label))].sort(cmp);
    const labelIds = new Map(labels.map((l, i) => [l, BigInt(i)] as const));
    const splits = [...new Set(images.map((i) => i.split))];
    const writer = await DatasetWriter.create(join(ctx.scratchDir, "dataset"), {
      splits,
      shards: p.shards,
      kinds: { image: "bytes", label: "bytes", label_id: "int64", filename: "bytes" },
      source: { kind: "images", uri: pathToFileURL(resolve(p.path)).href, images: images.length, labels },
    });
    try {
      for (const img of images) {
        const data = new Uint8Array(await readFile(img.path));
        const ex: Example = new Map<string, Feature>([
          ["filename", bytes(img.name)],
          ["image", { kind: "bytes", values: [data] }],
          ["label", bytes(img.label)],
          ["label_id", { kind: "int64", values: BigInt64Array.of(labelIds.get(img.label) as bigint) }],
        ]);
        await writer.write(img.split, ex);
      }
    } catch (e) {
      await writer.abort();
      throw e;
    }
    ctx.log.info(`read ${images.length} images with ${labels.length} labels (${labels.join(", ")})`);
    ctx.log.metric("rows", images.length);
    return { dataset: await writer.close() };
  },
});
