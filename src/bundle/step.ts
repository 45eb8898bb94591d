/**
 * The `bundle` step: a fitted transform and a model trained on its output become one serving bundle artifact.
 *
 * @example
 * ```ts
 * const { transform, dataset } = preprocess({ dataset: splits }, { params: { label: "species" } });
 * const { spec } = transformSpec({ transform });
 * const { model } = trainer({ dataset, spec });
 * const { bundle } = bundleStep({ transform, model });
 * ```
 * @module
 */
import { step } from "../core/step.js";
import { model } from "../train/model-type.js";
import { transformType } from "../transform/artifact.js";
import { ServingBundle } from "./bundle.js";
import { bundleType } from "./type.js";
import { writeBundle } from "./write.js";

/** Transform + model → serving bundle. */
export const bundleStep = step({
  name: "bundle",
  description: "package the fitted transform and the trained model as one serving bundle",
  version: "1",
  inputs: { transform: transformType(), model: model() },
  outputs: { bundle: bundleType() },
  run: async (ctx, { transform, model: m }) => {
    const folder = `${ctx.scratchDir}/bundle`;
    const manifest = await writeBundle(folder, { transform, model: m });
    ctx.log.info(`bundle: ${manifest.signature.inputs.length} raw inputs → ${manifest.signature.outputs.map((o) => o.name).join(", ")}`);
    return { bundle: await ServingBundle.open(folder) };
  },
});
