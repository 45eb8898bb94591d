/**
 * Decoding of `tf.train.Example` protobuf bytes (see `feature-decoder.ts` for what is accepted).
 * @module
 */
import { readFeaturesInto } from "./feature-decoder.js";
import { type FeatureKinds, lookupKind } from "./kinds.js";
import type { Example, Feature, FeatureKind } from "./types.js";
import { WireReader } from "./wire-reader.js";

const TAG_FEATURES = 0x0a;

/** Options of {@link decodeExample} and {@link decodeSequenceExample}. */
export interface DecodeExampleOptions {
  /**
   * Kinds of features by name (e.g. from a schema), used for features present without a kind: TFX writes a
   * missing value as a `Feature` message with no list at all, so the bytes do not say its type.
   */
  kinds?: FeatureKinds;
  /** Kind of such a feature when `kinds` does not name it (default `"bytes"`). */
  untypedKind?: FeatureKind;
}

/** The function giving the kind of an untyped feature under `options`. */
export function untypedKindResolver(options: DecodeExampleOptions): (name: string) => FeatureKind {
  const fallback = options.untypedKind ?? "bytes";
  return (name) => lookupKind(options.kinds, name) ?? fallback;
}

/**
 * Decodes a serialized `tf.train.Example`. Values never alias `bytes`. A feature present with no kind (TFX's
 * missing value) decodes as an empty feature, of the kind `options` give it. Malformed input is a
 * `FORMAT_INVALID` KoanError naming the byte position (callers reading files add the file and record offset).
 * @example
 * ```ts
 * const example = decodeExample(record);
 * const label = example.get("label"); // { kind: "int64", values: BigInt64Array [3n] }
 * ```
 */
export function decodeExample(bytes: Uint8Array, options: DecodeExampleOptions = {}): Example {
  const untypedKind = untypedKindResolver(options);
  const r = new WireReader(bytes, "tf.train.Example");
  const features = new Map<string, Feature>();
  while (!r.atEnd()) {
    const tag = r.tag();
    if (tag === TAG_FEATURES) {
      const outer = r.enter();
      readFeaturesInto(r, features, untypedKind);
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
  return features;
}
