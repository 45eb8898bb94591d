/**
 * The deployer extension point. A deployer turns a serving bundle into a running (or ready-to-run) service on
 * one target — a local background process, a Docker image, a Seldon Core or KServe manifest, a Vertex AI
 * endpoint — and later reports its status and removes it. Deployers are flavors (`defineFlavor({ type:
 * "deployer", ... })`), so users add their own; Koan records every deployment in the metadata store.
 *
 * @example
 * ```ts
 * import { defineFlavor } from "koan";
 * import { z } from "zod";
 * defineFlavor({
 *   type: "deployer", name: "echo", description: "prints what it would deploy",
 *   config: z.object({}),
 *   load: async () => async () => ({
 *     deploy: async (ctx) => ({ endpoint: null, state: { bundle: ctx.bundle.uri }, output: `would deploy ${ctx.name}` }),
 *     status: async () => ({ state: "unknown", healthy: null, detail: "echo deploys nothing" }),
 *     undeploy: async () => undefined,
 *   }),
 * });
 * ```
 * @module
 */
import type { JsonValue } from "../../core/hash.js";

/** The bundle being deployed. */
export interface BundleRef {
  /** What the user named (run id, artifact id, `run/step/output`, or a folder). */
  readonly ref: string;
  /** The bundle artifact, when it is one (lineage goes through it). */
  readonly artifactId: string | null;
  /** Where a platform can fetch the bundle (`gs://`, `s3://`, ...), when known. */
  readonly uri: string | null;
  /** Copy the bundle's content into an empty folder (for images). */
  exportTo(dir: string): Promise<void>;
}

/** What a deployer gets for one deployment. */
export interface DeployContext {
  /** The deployment's id (`d-...`). */
  readonly id: string;
  /** The model's name as served (a DNS-1123 label: lower-case letters, digits, `-`). */
  readonly name: string;
  readonly version: string;
  readonly bundle: BundleRef;
  readonly projectDir: string;
  /** Only build and print what would be deployed; touch nothing. */
  readonly dryRun: boolean;
  /** Progress lines for the user. */
  log(line: string): void;
}

/** What a deployment produced. */
export interface DeployResult {
  /** Where it answers, when it runs somewhere reachable. */
  readonly endpoint: string | null;
  /** Flavor-specific facts needed for status and undeploy (pid, port, manifest, resource names). No secrets. */
  readonly state: { readonly [key: string]: JsonValue };
  /** Text for the user: a manifest, request bodies, next steps. */
  readonly output?: string;
}

/** A recorded deployment (plain data from the metadata store). */
export interface DeploymentRecord {
  readonly id: string;
  readonly target: string;
  readonly name: string;
  readonly version: string;
  /** The bundle artifact's id, or null for a folder. */
  readonly model: string | null;
  readonly endpoint: string | null;
  readonly state: { readonly [key: string]: JsonValue };
  readonly config: { readonly [key: string]: JsonValue };
  readonly createdAt: string;
  /** The run that recorded it (pipeline `koan.deploy`). */
  readonly runId: string;
  /** The deployment's artifact (its record), whose lineage leads back to the model and its data. */
  readonly artifactId: string;
}

/** Health of a deployment. */
export interface DeploymentStatus {
  /** `running`/`stopped` for processes, `written`/`applied` for manifests, `unknown` when it cannot be checked. */
  readonly state: "running" | "stopped" | "written" | "applied" | "deployed" | "unknown";
  /** Whether it answers its health check (null: not checked). */
  readonly healthy: boolean | null;
  readonly detail: string;
}

/** One deployment target. */
export interface Deployer {
  deploy(ctx: DeployContext): Promise<DeployResult>;
  status(record: DeploymentRecord): Promise<DeploymentStatus>;
  /** Stop or delete what {@link deploy} made (idempotent: gone already is fine). */
  undeploy(record: DeploymentRecord, log: (line: string) => void): Promise<void>;
}
