/** Built-in split steps. @module */
export { ratioSplit, ratioSplitParams } from "./ratio-split.js";
export { categoricalSplit, categoricalSplitParams } from "./categorical-split.js";
export { categoricalRatioSplit, categoricalRatioSplitParams } from "./categorical-ratio-split.js";
export { hybridSplit, hybridSplitParams } from "./hybrid-split.js";
export { timeSplit, timeSplitParams } from "./time-split.js";
export { customSplit, type CustomSplitOptions, type SplitFn } from "./custom-split.js";
export { parseTime } from "./time.js";
