/** The data commands: datasets, stats, schema, validate, sample. @module */
import type { Command } from "commander";
import { json, lazy, project, stackOpt } from "../options.js";

const DATASET = "dataset artifact: id (or prefix) or run/step/output";

export function registerData(program: Command): void {
  program
    .command("datasets")
    .description("versions of each data source: row counts per split, content hash, when taken")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/datasets.js")));

  program
    .command("stats")
    .description("statistics of a dataset per split and feature (recorded, stored with it, or computed now)")
    .argument("<dataset>", DATASET)
    .option("--split <name>", "only this split")
    .option("--pb <file>", "also write a binary DatasetFeatureStatisticsList (TFDV, Facets)")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/stats.js")));

  program
    .command("schema")
    .description("the schema of a dataset (carried, recorded by schema_gen, or inferred now)")
    .argument("<dataset>", DATASET)
    .option("--pbtxt", "print schema.pbtxt (tensorflow_metadata text format)")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/schema.js")));

  program
    .command("validate")
    .description("check a dataset against a schema, and for drift against another dataset; exit 1 on anomalies")
    .argument("<dataset>", DATASET)
    .option("--against <ref>", "a schema.pbtxt file, a schema artifact, or a dataset artifact (schema + drift baseline)")
    .option("--linf <threshold>", "L-infinity drift threshold of categorical features without one in the schema (default 0.1)")
    .option("--jsd <threshold>", "Jensen-Shannon drift threshold of numeric features without one in the schema (default 0.1)")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/validate.js")));

  program
    .command("sample")
    .description("the first rows of a split of a dataset")
    .argument("<dataset>", DATASET)
    .option("-n, --rows <n>", "how many rows", "5")
    .option("--split <name>", "the split (default: the first)")
    .option("--transform <ref>", "also show each row transformed by this transform artifact (e.g. <run>/preprocess/transform)")
    .addOption(stackOpt())
    .addOption(project())
    .addOption(json())
    .action(lazy(() => import("../commands/sample.js")));
}
