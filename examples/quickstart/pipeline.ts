/**
 * The quickstart pipeline: load → split → fit a scaler on train → train a classifier → evaluate.
 *
 *   npx koan run examples/quickstart/pipeline.ts
 *   npx koan run examples/quickstart/pipeline.ts --param train.epochs=100
 */
import { pipeline } from "koan";
import { evaluate, fitScaler, load, split, train } from "./steps.js";

export default pipeline({
  name: "quickstart",
  description: "Classify Palmer penguins by species from beak, flipper and mass measurements",
  seed: 42,
  build: () => {
    const { rows } = load();
    const { train: trainRows, eval: evalRows } = split({ rows });
    const { scaler } = fitScaler({ train: trainRows });
    const { model } = train({ train: trainRows, scaler });
    evaluate({ eval: evalRows, scaler, model });
  },
});
