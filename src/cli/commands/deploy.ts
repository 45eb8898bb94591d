/** `koan deploy <bundle> --to <target>`. @module */
import { KoanError } from "../../core/errors.js";
import { deploy } from "../../serving/deploy/deploy.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, paint, printJson } from "../output.js";

interface Opts extends ProjectOptions {
  to: string;
  name?: string;
  force?: boolean;
  dryRun?: boolean;
  port?: string;
  grpcPort?: string;
  image?: string;
  out?: string;
  namespace?: string;
  replicas?: string;
  modelUri?: string;
  apply?: boolean;
  gcpProject?: string;
  region: string;
  endpoint?: string;
  machineType?: string;
  option: string[];
  json?: boolean;
}

/** The deployer config from the command's options (only those the target takes). */
export function configFromOptions(o: Opts): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  const set = (k: string, v: unknown): void => {
    if (v !== undefined) c[k] = v;
  };
  switch (o.to) {
    case "local":
      set("port", o.port);
      set("grpcPort", o.grpcPort);
      break;
    case "docker":
      set("tag", o.image);
      set("out", o.out);
      break;
    case "seldon":
    case "kserve":
      set("image", o.image);
      set("out", o.out);
      set("namespace", o.namespace);
      set("modelUri", o.modelUri);
      set("apply", o.apply);
      if (o.replicas !== undefined) {
        if (o.to === "seldon") set("replicas", o.replicas);
        else (set("minReplicas", o.replicas), set("maxReplicas", o.replicas));
      }
      break;
    case "vertex":
      set("project", o.gcpProject);
      set("region", o.region);
      set("image", o.image);
      set("endpoint", o.endpoint);
      set("machineType", o.machineType);
      set("artifactUri", o.modelUri);
      break;
  }
  for (const kv of o.option) {
    const eq = kv.indexOf("=");
    if (eq < 1) throw new KoanError("USAGE", `--option "${kv}" must be key=value`);
    c[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return c;
}

export default async function deployCommand(ref: string, opts: Opts): Promise<number> {
  return withClient(opts, async (koan) => {
    const log = (line: string): void => void process.stderr.write(`${paint("dim", line, process.stderr)}\n`);
    const { record, result, blessing } = await deploy(koan, {
      ref,
      target: opts.to,
      ...(opts.name ? { name: opts.name } : {}),
      config: configFromOptions(opts),
      force: opts.force ?? false,
      dryRun: opts.dryRun ?? false,
      ...(opts.modelUri ? { modelUri: opts.modelUri } : {}),
      log,
    });
    if (opts.json) {
      printJson({ deployment: record ?? null, dryRun: opts.dryRun ?? false, endpoint: result.endpoint, state: result.state, blessing, output: result.output ?? null });
      return EXIT.ok;
    }
    if (result.output) process.stdout.write(`${result.output.trimEnd()}\n`);
    if (record) process.stderr.write(`${paint("green", "deployed", process.stderr)} ${record.id} (${record.target}${record.endpoint ? `, ${record.endpoint}` : ""}); remove it with: koan undeploy ${record.id}\n`);
    return EXIT.ok;
  });
}
