/**
 * A regression: predict a car's fuel economy (miles per gallon) from its engine, weight, year and origin, on the
 * `cars.json` table shipped by the `vega-datasets` npm package. The same training pipeline as the quickstart; the
 * label's task is regression, so the network ends in a linear unit trained on mean squared error and the
 * evaluation reports MAE, RMSE, R² and the residual histogram, per origin.
 *
 *   npx koan run examples/regression/pipeline.ts
 *   npx koan report <run-id>
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { trainingPipeline } from "koan";

const cars = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", "cars.json");

export default trainingPipeline({
  name: "cars_mpg",
  description: "Predict miles per gallon from cylinders, displacement, horsepower, weight, acceleration, year and origin",
  seed: 7,
  // Eight of the 406 cars have no recorded fuel economy: leave them out at the source.
  source: { path: cars, where: "Miles_per_Gallon IS NOT NULL" },
  split: { ratios: { train: 0.8, eval: 0.2 } },
  // The car's name identifies it; it is not a feature.
  preprocess: { label: { name: "Miles_per_Gallon", task: "regression" }, exclude: ["Name"] },
  train: { hiddenUnits: [32, 16], epochs: 150, batchSize: 32, learningRate: 0.01, earlyStopping: { patience: 15 } },
  evaluate: { slices: ["Origin"], thresholds: [{ metric: "r2", value: { lowerBound: 0.7 } }] },
});
