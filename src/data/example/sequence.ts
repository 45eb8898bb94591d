/**
 * Decoding of `tf.train.SequenceExample` protobuf bytes.
 * @module
 */
import { emptyFeature, readFeature, readFeaturesInto, readStringMapInto } from "./feature-decoder.js";
import { type DecodeExampleOptions, untypedKindResolver } from "./decode.js";
import type { Feature, FeatureList, SequenceExample } from "./types.js";
import { WireReader } from "./wire-reader.js";

const TAG_1_LEN = 0x0a;
const TAG_2_LEN = 0x12;

/**
 * Decodes a serialized `tf.train.SequenceExample`: `context` (field 1, a `Features`) and `featureLists`
 * (field 2, a `map<string, FeatureList>`). In a feature list, an element whose kind is not set becomes an empty
 * feature of the kind of the list's other elements (`bytes` if none has one), so step positions are kept; in
 * the context, as in {@link decodeExample}, `options` give the kind of such features.
 * @example
 * ```ts
 * const { context, featureLists } = decodeSequenceExample(record);
 * const steps = featureLists.get("tokens")?.length ?? 0;
 * ```
 */
export function decodeSequenceExample(bytes: Uint8Array, options: DecodeExampleOptions = {}): SequenceExample {
  const untypedKind = untypedKindResolver(options);
  const r = new WireReader(bytes, "tf.train.SequenceExample");
  const context = new Map<string, Feature>();
  const featureLists = new Map<string, FeatureList>();
  while (!r.atEnd()) {
    const tag = r.tag();
    if (tag === TAG_1_LEN || tag === TAG_2_LEN) {
      const outer = r.enter();
      if (tag === TAG_1_LEN) readFeaturesInto(r, context, untypedKind);
      else readFeatureListsInto(r, featureLists);
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
  return { context, featureLists };
}

function readFeatureListsInto(r: WireReader, out: Map<string, FeatureList>): void {
  readStringMapInto(r, out, readFeatureList, () => []);
}

function readFeatureList(r: WireReader): FeatureList {
  const features: (Feature | undefined)[] = [];
  while (!r.atEnd()) {
    const tag = r.tag();
    if (tag !== TAG_1_LEN) {
      r.skip(tag);
      continue;
    }
    const outer = r.enter();
    features.push(readFeature(r));
    r.leave(outer);
  }
  const kind = features.find((f) => f !== undefined)?.kind ?? "bytes";
  return features.map((f) => f ?? emptyFeature(kind));
}
