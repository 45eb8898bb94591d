/**
 * Encoding of `tf.train.Example` to protobuf bytes, deterministic and in one exact-size allocation.
 *
 * Determinism: features are written in ascending order of their names' UTF-8 bytes (protobuf's deterministic
 * map order; for names without characters beyond U+FFFF it equals JavaScript's default string sort), so equal
 * Examples give equal bytes whatever the Map's insertion order. `float_list` and `int64_list` are written packed,
 * as TensorFlow does. An empty feature is written as a present, empty list of its kind, or, with
 * `emptyFeatures: "untyped"`, as a `Feature` message with no list (`feature {}`): TFX's encoding of a missing
 * value, which TensorFlow parses as empty whatever the dtype it expects.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { HI_WORD, int64Words, LO_WORD } from "./int64-words.js";
import type { Example, Feature } from "./types.js";
import { LITTLE_ENDIAN } from "./wire-reader.js";
import { varint32Size, varint64Size, writeVarint32, writeVarint64 } from "./wire-writer.js";

const utf8 = new TextEncoder();
const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map<string, Uint8Array>();

/** Tags (field number << 3 | LEN) used below. */
const TAG_1 = 0x0a; // Example.features, Features.feature, MapEntry.key, *List.value, Feature.bytes_list
const TAG_2 = 0x12; // MapEntry.value, Feature.float_list
const TAG_3 = 0x1a; // Feature.int64_list

/** Options of {@link encodeExample}. */
export interface EncodeExampleOptions {
  /**
   * How to write a feature with no values: `"typed"` (default) as an empty list of its kind, which round-trips
   * the kind; `"untyped"` as a Feature with no kind set, byte-compatible with TFX's missing values.
   */
  emptyFeatures?: "typed" | "untyped";
}

interface SizedEntry {
  readonly key: Uint8Array;
  readonly feature: Feature;
  /** Written as a Feature message with no kind. */
  readonly untyped: boolean;
  /** Size of the *List message. */
  readonly listSize: number;
  /** Size of the packed payload (float/int64). */
  readonly packedSize: number;
  /** Size of the Feature message. */
  readonly featureSize: number;
  /** Size of the map entry message. */
  readonly entrySize: number;
}

/**
 * The protobuf encoding of a `tf.train.Example` (see the module comment for the exact, deterministic layout).
 * @example
 * ```ts
 * const bytes = encodeExample(new Map([
 *   ["label", { kind: "int64", values: BigInt64Array.of(1n) }],
 *   ["x", { kind: "float", values: Float32Array.of(0.5, 1.5) }],
 * ]));
 * ```
 */
export function encodeExample(example: Example, options: EncodeExampleOptions = {}): Uint8Array {
  const entries = sizedEntries(example, options.emptyFeatures === "untyped");
  let featuresSize = 0;
  for (const e of entries) featuresSize += 1 + varint32Size(e.entrySize) + e.entrySize;
  const total = 1 + varint32Size(featuresSize) + featuresSize;
  const out = new Uint8Array(total);
  let pos = 0;
  out[pos++] = TAG_1;
  pos = writeVarint32(out, pos, featuresSize);
  for (const e of entries) {
    out[pos++] = TAG_1;
    pos = writeVarint32(out, pos, e.entrySize);
    out[pos++] = TAG_1;
    pos = writeVarint32(out, pos, e.key.length);
    out.set(e.key, pos);
    pos += e.key.length;
    out[pos++] = TAG_2;
    pos = writeVarint32(out, pos, e.featureSize);
    pos = writeFeature(out, pos, e);
  }
  if (pos !== total) throw new KoanError("INTERNAL", `encodeExample wrote ${pos} bytes, expected ${total}`);
  return out;
}

function sizedEntries(example: Example, untypedEmpty: boolean): SizedEntry[] {
  const entries: SizedEntry[] = [];
  for (const [name, feature] of example) {
    const key = keyBytes(name);
    const { listSize, packedSize } = listSizes(name, feature);
    const untyped = untypedEmpty && feature.values.length === 0;
    const featureSize = untyped ? 0 : 1 + varint32Size(listSize) + listSize;
    const entrySize = 1 + varint32Size(key.length) + key.length + 1 + varint32Size(featureSize) + featureSize;
    entries.push({ key, feature, untyped, listSize, packedSize, featureSize, entrySize });
  }
  return entries.sort((a, b) => compareBytes(a.key, b.key));
}

function listSizes(name: string, feature: Feature): { listSize: number; packedSize: number } {
  switch (feature.kind) {
    case "bytes": {
      let size = 0;
      for (const value of feature.values) {
        if (!(value instanceof Uint8Array)) throw invalid(name, "bytes values must be Uint8Arrays");
        size += 1 + varint32Size(value.length) + value.length;
      }
      return { listSize: size, packedSize: 0 };
    }
    case "float": {
      if (!(feature.values instanceof Float32Array)) throw invalid(name, "float values must be a Float32Array");
      const packedSize = 4 * feature.values.length;
      return { listSize: packedSize === 0 ? 0 : 1 + varint32Size(packedSize) + packedSize, packedSize };
    }
    case "int64": {
      if (!(feature.values instanceof BigInt64Array)) throw invalid(name, "int64 values must be a BigInt64Array");
      const words = int64Words(feature.values);
      let packedSize = 0;
      for (let i = 0; i < words.length; i += 2) packedSize += varint64Size(words[i + LO_WORD], words[i + HI_WORD]);
      return { listSize: packedSize === 0 ? 0 : 1 + varint32Size(packedSize) + packedSize, packedSize };
    }
    default:
      throw invalid(name, `unknown feature kind ${JSON.stringify((feature as { kind: unknown }).kind)}`);
  }
}

function writeFeature(out: Uint8Array, start: number, e: SizedEntry): number {
  const { feature } = e;
  if (e.untyped) return start;
  let pos = start;
  out[pos++] = feature.kind === "bytes" ? TAG_1 : feature.kind === "float" ? TAG_2 : TAG_3;
  pos = writeVarint32(out, pos, e.listSize);
  switch (feature.kind) {
    case "bytes":
      for (const value of feature.values) {
        out[pos++] = TAG_1;
        pos = writeVarint32(out, pos, value.length);
        out.set(value, pos);
        pos += value.length;
      }
      return pos;
    case "float": {
      if (e.packedSize === 0) return pos;
      out[pos++] = TAG_1;
      pos = writeVarint32(out, pos, e.packedSize);
      const values = feature.values;
      if (LITTLE_ENDIAN) {
        out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), pos);
      } else {
        const view = new DataView(out.buffer, out.byteOffset + pos, e.packedSize);
        for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
      }
      return pos + e.packedSize;
    }
    case "int64": {
      if (e.packedSize === 0) return pos;
      out[pos++] = TAG_1;
      pos = writeVarint32(out, pos, e.packedSize);
      const words = int64Words(feature.values);
      for (let i = 0; i < words.length; i += 2) pos = writeVarint64(out, pos, words[i + LO_WORD], words[i + HI_WORD]);
      return pos;
    }
  }
}

function keyBytes(name: string): Uint8Array {
  let bytes = keyCache.get(name);
  if (bytes === undefined) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    bytes = utf8.encode(name);
    keyCache.set(name, bytes);
  }
  return bytes;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function invalid(name: string, problem: string): KoanError {
  return new KoanError("DATA_INVALID", `cannot encode feature "${name}": ${problem}`, { details: { feature: name } });
}
