/**
 * Serving bundles: the fitted transform, the trained model and the signature as one artifact that predicts from
 * raw rows — what the evaluator scores, the model server serves and batch inference runs.
 * @module
 */
export { ServingBundle, type BundleOptions, type RawFeatureRow } from "./bundle.js";
export { loadBundle, type LoadBundleOptions } from "./load.js";
export { writeBundle, bundleMismatch } from "./write.js";
export { bundleSignature, outputsOf } from "./signature.js";
export { bundleType, bundleMaterializer } from "./type.js";
export { bundleStep } from "./step.js";
export { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, BUNDLE_MANIFEST, parseBundleManifest, type BundleManifest } from "./format.js";
