/** Built-in preprocessing steps. @module */
export { preprocess, preprocessWith, type PreprocessStep } from "./preprocess.js";
export { transformDataset } from "./transform-dataset.js";
export { fitOnDataset, writeTransformed, type WriteTransformedOptions } from "./run.js";
