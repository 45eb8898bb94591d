/**
 * The quickstart: the full training pipeline on the Palmer penguins table shipped by the `vega-datasets` npm
 * package — source (JSON → TFRecord dataset), statistics, schema and validation, a seeded 70/30 split,
 * preprocessing fitted on the training split (z-scores, vocabularies, missing values filled), a TF.js
 * feed-forward network, a serving bundle (transform + model), and an evaluation of that bundle on the raw
 * eval rows, sliced by island and sex, blessed when accuracy ≥ 0.9.
 *
 *   npx koan run examples/quickstart/pipeline.ts
 *   npx koan run examples/quickstart/pipeline.ts --param trainer.epochs=100   # re-runs trainer, bundle, evaluator
 *   npx koan serve <run-id>                                                 # serves the bundle (KServe V2, TF Serving, Vertex)
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { trainingPipeline } from "koan";

/** `penguins.json` from the `vega-datasets` package: 344 penguins, 3 species, 3 islands. */
const penguins = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", "penguins.json");

export default trainingPipeline({
  name: "quickstart",
  description: "Classify Palmer penguins by species from beak, flipper and mass measurements, island and sex",
  seed: 42,
  source: { path: penguins },
  split: { ratios: { train: 0.7, eval: 0.3 } },
  preprocess: { label: "Species" },
  train: { hiddenUnits: [16], epochs: 60, batchSize: 16, learningRate: 0.01, earlyStopping: { patience: 8 } },
  evaluate: { slices: ["Island", "Sex"], thresholds: [{ metric: "accuracy", value: { lowerBound: 0.9 } }] },
});
