/** `koan schema <dataset>`: the schema of a dataset as a table, JSON, or schema.pbtxt. @module */
import { formatSchemaText } from "../../data/schema/pbtxt.js";
import { stringDomainOf } from "../../data/schema/lookup.js";
import type { Schema } from "../../data/schema/types.js";
import { resolveDataset, schemaOf, type SchemaOrigin } from "../../data/versions/resolve.js";
import { KoanError } from "../../core/errors.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, paint, printJson, table } from "../output.js";

/** Where a schema came from, in words. */
export function originText(origin: SchemaOrigin): string {
  return origin.kind === "carried" ? "carried by the dataset" : origin.kind === "recorded" ? `recorded by schema artifact ${origin.artifactId}` : `inferred now from split "${origin.split}"`;
}

/** The readable form of a schema. */
export function renderSchema(schema: Schema): string {
  return table(
    schema.feature.map((f) => {
      const presence = f.presence?.minFraction === 1 ? "required" : f.presence?.minCount ? "optional" : "-";
      const valency = f.shape ? `shape [${f.shape.dim.map((d) => d.size ?? "?").join(", ")}]` : f.valueCount ? (f.valueCount.min === f.valueCount.max ? `${f.valueCount.min ?? "?"}` : `${f.valueCount.min ?? 0}..${f.valueCount.max ?? "∞"}`) : "-";
      const sd = stringDomainOf(schema, f);
      const domain = sd ? `${sd.value.length} values: ${sd.value.slice(0, 5).join(", ")}${sd.value.length > 5 ? ", ..." : ""}` : f.intDomain ? `int [${f.intDomain.min ?? ""}, ${f.intDomain.max ?? ""}]` : f.floatDomain ? `float [${f.floatDomain.min ?? ""}, ${f.floatDomain.max ?? ""}]` : "-";
      return { feature: f.name, type: f.type ?? "-", presence, valency, domain };
    }),
    ["feature", "type", "presence", "valency", "domain"],
  );
}

export default async function schema(ref: string, opts: ProjectOptions & { json?: boolean; pbtxt?: boolean }): Promise<number> {
  if (opts.json && opts.pbtxt) throw new KoanError("USAGE", "give --json or --pbtxt, not both");
  return withClient(opts, async (koan) => {
    const d = await resolveDataset(koan, ref);
    const { schema: s, origin } = await schemaOf(koan, d);
    if (opts.json) printJson(s);
    else if (opts.pbtxt) process.stdout.write(formatSchemaText(s));
    else process.stdout.write(`dataset ${d.artifact.id} ${paint("dim", `(schema ${originText(origin)})`)}\n\n${renderSchema(s)}\n`);
    return EXIT.ok;
  });
}
