/**
 * Decoding of `tf.train.Feature` and `tf.train.Features` from a {@link WireReader}, shared by the Example and
 * SequenceExample decoders.
 *
 * Accepted beyond what TensorFlow writes: unpacked as well as packed repeated floats and int64s (even mixed),
 * several list fields of the same kind (concatenated, protobuf's merge rule), unknown fields (skipped).
 *
 * A Feature message whose kind is not set (`feature {}`) is how TFX writes a missing value (TensorFlow parses it
 * as an empty value of whatever type the parse spec asks for). It decodes as a present, empty feature; its kind
 * is not in the bytes, so the caller chooses it.
 * @module
 */
import { HI_WORD, int64Words, LO_WORD } from "./int64-words.js";
import type { Feature, FeatureKind } from "./types.js";
import { LITTLE_ENDIAN, WireReader, WireType } from "./wire-reader.js";

const TAG_1_VARINT = 0x08;
const TAG_1_LEN = 0x0a;
const TAG_1_I32 = 0x0d;
const TAG_2_LEN = 0x12;

const KIND_BY_FIELD: readonly (FeatureKind | undefined)[] = [undefined, "bytes", "float", "int64"];

/**
 * Decoded numeric lists are views into shared 64 KiB slabs, filled in order, instead of one ArrayBuffer each:
 * creating typed arrays is the main cost of decoding small features. A slab lives as long as any view into it,
 * so memory stays proportional to the values kept. Lists over 8 KiB get their own buffer.
 */
const SLAB_BYTES = 1 << 16;
const SLAB_MAX_LIST = SLAB_BYTES >> 3;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabBytes = new Uint8Array(slab);
let slabWords = new Uint32Array(slab);
let slabUsed = SLAB_BYTES;

/** An 8-aligned byte offset of `size` free bytes in the current slab (a new slab when full), or -1 when too big. */
function carve(size: number): number {
  if (size > SLAB_MAX_LIST) return -1;
  let at = (slabUsed + 7) & ~7;
  if (at + size > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabBytes = new Uint8Array(slab);
    slabWords = new Uint32Array(slab);
    at = 0;
  }
  slabUsed = at + size;
  return at;
}

/** An empty feature of `kind`. */
export function emptyFeature(kind: FeatureKind): Feature {
  switch (kind) {
    case "bytes":
      return { kind, values: [] };
    case "float":
      return { kind, values: new Float32Array(0) };
    case "int64":
      return { kind, values: new BigInt64Array(0) };
  }
}

/** Reads the fields of a `Feature` message up to `r.limit`; `undefined` when no kind is set. */
export function readFeature(r: WireReader): Feature | undefined {
  let kindField = 0;
  let ranges: number[] = [];
  while (!r.atEnd()) {
    const tag = r.tag();
    const field = tag >>> 3;
    if ((tag & 7) === WireType.LEN && field >= 1 && field <= 3) {
      const end = r.delimitedEnd();
      if (field !== kindField) {
        kindField = field;
        ranges = [];
      }
      ranges.push(r.pos, end);
      r.pos = end;
    } else {
      r.skip(tag);
    }
  }
  const kind = KIND_BY_FIELD[kindField];
  if (kind === undefined) return undefined;
  const pos = r.pos;
  const limit = r.limit;
  const feature = kind === "bytes" ? readBytes(r, ranges) : kind === "float" ? readFloats(r, ranges) : readInt64s(r, ranges);
  r.pos = pos;
  r.limit = limit;
  return feature;
}

/**
 * Reads the entries of a `Features` message (a `map<string, Feature>`) up to `r.limit` into `out`; a feature
 * without a kind becomes an empty feature of `untypedKind(name)`.
 */
/**
 * Read the entries of a protobuf `map<string, V>` field (entries are field 1; key is field 1, value field 2)
 * into `out`; `readValue` reads one value message, `missing` gives the value of an entry without one (or whose
 * value reads as undefined, e.g. a TFX feature with no typed list).
 */
export function readStringMapInto<V>(r: WireReader, out: Map<string, V>, readValue: (r: WireReader) => V | undefined, missing: (key: string) => V): void {
  while (!r.atEnd()) {
    const tag = r.tag();
    if (tag !== TAG_1_LEN) {
      r.skip(tag);
      continue;
    }
    const outer = r.enter();
    let key = "";
    let value: V | undefined;
    while (!r.atEnd()) {
      const inner = r.tag();
      if (inner === TAG_1_LEN) {
        key = r.string();
      } else if (inner === TAG_2_LEN) {
        const entryLimit = r.enter();
        value = readValue(r);
        r.leave(entryLimit);
      } else {
        r.skip(inner);
      }
    }
    r.leave(outer);
    out.set(key, value === undefined ? missing(key) : value);
  }
}

export function readFeaturesInto(r: WireReader, out: Map<string, Feature>, untypedKind: (name: string) => FeatureKind): void {
  readStringMapInto(r, out, readFeature, (key) => emptyFeature(untypedKind(key)));
}

function readBytes(r: WireReader, ranges: number[]): Feature {
  const values: Uint8Array[] = [];
  for (let k = 0; k < ranges.length; k += 2) {
    r.pos = ranges[k];
    r.limit = ranges[k + 1];
    while (!r.atEnd()) {
      const tag = r.tag();
      if (tag === TAG_1_LEN) values.push(r.bytes());
      else r.skip(tag);
    }
  }
  return { kind: "bytes", values };
}

function readFloats(r: WireReader, ranges: number[]): Feature {
  let count = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    r.pos = ranges[k];
    r.limit = ranges[k + 1];
    while (!r.atEnd()) {
      const tag = r.tag();
      if (tag === TAG_1_LEN) {
        const end = r.delimitedEnd();
        if ((end - r.pos) % 4 !== 0) throw r.error(`packed float list of ${end - r.pos} bytes (not a multiple of 4)`);
        count += (end - r.pos) / 4;
        r.pos = end;
      } else {
        if (tag === TAG_1_I32) count++;
        r.skip(tag);
      }
    }
  }
  const at = LITTLE_ENDIAN ? carve(4 * count) : -1;
  const values = at < 0 ? new Float32Array(count) : new Float32Array(slab, at, count);
  const bytes = at < 0 ? undefined : slabBytes;
  let i = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    r.pos = ranges[k];
    r.limit = ranges[k + 1];
    while (!r.atEnd()) {
      const tag = r.tag();
      if (tag === TAG_1_LEN) {
        const end = r.delimitedEnd();
        if (bytes !== undefined) {
          const buf = r.buf;
          for (let p = r.pos, q = at + 4 * i; p < end; p++, q++) bytes[q] = buf[p] as number;
          i += (end - r.pos) / 4;
          r.pos = end;
        } else if (LITTLE_ENDIAN) {
          new Uint8Array(values.buffer, values.byteOffset + 4 * i, end - r.pos).set(r.buf.subarray(r.pos, end));
          i += (end - r.pos) / 4;
          r.pos = end;
        } else {
          while (r.pos < end) values[i++] = r.float();
        }
      } else if (tag === TAG_1_I32) {
        values[i++] = r.float();
      } else {
        r.skip(tag);
      }
    }
  }
  return { kind: "float", values };
}

function readInt64s(r: WireReader, ranges: number[]): Feature {
  let count = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    r.pos = ranges[k];
    r.limit = ranges[k + 1];
    while (!r.atEnd()) {
      const tag = r.tag();
      if (tag === TAG_1_LEN) {
        const end = r.delimitedEnd();
        if (end > r.pos && r.buf[end - 1] >= 0x80) throw r.error("truncated varint at the end of a packed int64 list");
        for (let p = r.pos; p < end; p++) if (r.buf[p] < 0x80) count++;
        r.pos = end;
      } else {
        if (tag === TAG_1_VARINT) count++;
        r.skip(tag);
      }
    }
  }
  const at = carve(8 * count);
  const values = at < 0 ? new BigInt64Array(count) : new BigInt64Array(slab, at, count);
  const words = at < 0 ? int64Words(values) : slabWords;
  const base = at < 0 ? 0 : at >> 2;
  let i = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    r.pos = ranges[k];
    r.limit = ranges[k + 1];
    while (!r.atEnd()) {
      const tag = r.tag();
      if (tag === TAG_1_LEN) {
        const end = r.delimitedEnd();
        const outer = r.limit;
        r.limit = end;
        while (r.pos < end) {
          r.varint64();
          words[base + 2 * i + LO_WORD] = r.lo;
          words[base + 2 * i + HI_WORD] = r.hi;
          i++;
        }
        r.limit = outer;
      } else if (tag === TAG_1_VARINT) {
        r.varint64();
        words[base + 2 * i + LO_WORD] = r.lo;
        words[base + 2 * i + HI_WORD] = r.hi;
        i++;
      } else {
        r.skip(tag);
      }
    }
  }
  return { kind: "int64", values };
}
