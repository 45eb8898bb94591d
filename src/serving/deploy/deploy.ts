/**
 * Deploying, listing and removing deployments — what `koan deploy`, `koan deployments` and `koan undeploy` do:
 * resolve the bundle, refuse an unblessed model unless forced, create the target's deployer (a `deployer`
 * flavor), deploy, and record the deployment as a lineage node.
 *
 * @example
 * ```ts
 * const koan = await Koan.open();
 * const { record, result } = await deploy(koan, { ref: "r-abc/train/bundle", target: "kserve", config: { namespace: "ml" } });
 * console.log(result.output);
 * ```
 * @module
 */
import type { ArtifactRecord } from "../../stores/metadata/types.js";
import "./flavors.js";
import type { Koan } from "../../client/client.js";
import { KoanError } from "../../core/errors.js";
import { createComponent } from "../../core/flavor.js";
import type { JsonValue } from "../../core/hash.js";
import { newId } from "../../core/ids.js";
import { bundleRef, loadServable } from "../resolve.js";
import { blessingOf, checkBlessing, type Blessing } from "./blessing.js";
import { dnsName } from "./container.js";
import { findDeployment, listDeployments, recordDeployment, recordUndeploy } from "./records.js";
import type { Deployer, DeploymentRecord, DeploymentStatus, DeployResult } from "./types.js";

/** Options of {@link deploy}. */
export interface DeployOptions {
  /** Run id, artifact id, `run/step/output`, or a folder holding an exported bundle. */
  ref: string;
  /** Deployer flavor: `local`, `docker`, `seldon`, `kserve`, `vertex`, or a user's. */
  target: string;
  /** Served model name (default: derived from the bundle). */
  name?: string;
  /** Model version (default: the bundle artifact's content hash, first 12 characters). */
  version?: string;
  /** The deployer's config (validated by its flavor). */
  config?: Record<string, unknown>;
  /** Deploy even when the model is not blessed. */
  force?: boolean;
  /** Build and print only; nothing is created or recorded. */
  dryRun?: boolean;
  /** Where a platform fetches the bundle (overrides a remote artifact URI). */
  modelUri?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Create a deployer flavor's component. */
export function deployerFor(koan: Koan, target: string, config: Record<string, unknown>): Promise<Deployer> {
  return createComponent<Deployer>("deployer", target, config, { projectDir: koan.project.dir });
}

/** A deployment's default name: its pipeline's name for a bundle artifact (else the output name and a short hash). */
async function defaultName(koan: Koan, artifact: ArtifactRecord): Promise<string> {
  const producer = await koan.metadata.getStepRun(artifact.producerStepRun);
  const run = producer ? await koan.metadata.getRun(producer.runId) : undefined;
  return artifact.type === "bundle" && run ? run.pipeline : `${artifact.outputName}-${artifact.contentHash.slice(0, 8)}`;
}

/** Deploy a bundle; returns the recorded deployment (none for a dry run) and what the deployer produced. */
export async function deploy(koan: Koan, options: DeployOptions): Promise<{ record: DeploymentRecord | undefined; result: DeployResult; blessing: Blessing }> {
  const log = options.log ?? (() => undefined);
  const { bundle, artifact } = await bundleRef(koan, options.ref, options.modelUri);
  const blessing = artifact ? await blessingOf(koan, artifact) : { blessed: null, source: null };
  checkBlessing(blessing, artifact?.id ?? options.ref, options.force ?? false);
  if (blessing.blessed === null) log("no evaluation artifact says whether this model is blessed; deploying it");
  const config = { ...(options.config ?? {}) };
  const deployer = await deployerFor(koan, options.target, config);
  if (options.target === "local" && !config.command && !options.dryRun) {
    // Fail here, with the loader's own error, rather than in a background process.
    await loadServable(koan, options.ref);
  }
  const name = dnsName(options.name ?? (artifact ? await defaultName(koan, artifact) : bundle.ref.split("/").pop() ?? "model"));
  const version = options.version ?? (artifact ? artifact.contentHash.slice(0, 12) : "1");
  const id = newId("d");
  const result = await deployer.deploy({ id, name, version, bundle, projectDir: koan.project.dir, dryRun: options.dryRun ?? false, log });
  if (options.dryRun) return { record: undefined, result, blessing };
  const record = await recordDeployment(
    koan,
    { id, target: options.target, name, version, model: artifact?.id ?? null, endpoint: result.endpoint, state: result.state, config: config as { [key: string]: JsonValue } },
    artifact,
  );
  return { record, result, blessing };
}

/** Live deployments with their status (each deployer checks its own). */
export async function deploymentsWithStatus(koan: Koan): Promise<(DeploymentRecord & { status: DeploymentStatus })[]> {
  const out: (DeploymentRecord & { status: DeploymentStatus })[] = [];
  for (const d of await listDeployments(koan)) {
    let status: DeploymentStatus;
    try {
      status = await (await deployerFor(koan, d.target, d.config)).status(d);
    } catch (e) {
      status = { state: "unknown", healthy: null, detail: e instanceof KoanError ? e.message : String(e) };
    }
    out.push({ ...d, status });
  }
  return out;
}

/** Remove a deployment (by id or prefix) and record that it is gone. */
export async function undeploy(koan: Koan, id: string, log: (line: string) => void = () => undefined): Promise<DeploymentRecord> {
  const d = await findDeployment(koan, id);
  await (await deployerFor(koan, d.target, d.config)).undeploy(d, log);
  await recordUndeploy(koan, d);
  return d;
}
