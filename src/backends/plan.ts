/**
 * Resolving where each step of a run executes, before the run is recorded. A step's backend is the run's
 * override (`--backend train=gpu`), else the step's `backend` option, else `local`. Every problem is refused
 * here, before anything is recorded or submitted: an unknown backend name, an override naming no step, a remote
 * backend on a stack whose stores live on this machine's disk (a remote job could not reach them), missing
 * credentials or cluster, a job the platform could not accept (GPUs without an accelerator type, secrets a
 * platform can only receive in clear), and a missing or stale image.
 * @module
 */
import "./flavors.js";
import { KoanError } from "../core/errors.js";
import { createComponent, getFlavor } from "../core/flavor.js";
import type { JsonValue } from "../core/hash.js";
import type { Pipeline } from "../core/pipeline.js";
import { checkName } from "../core/step.js";
import type { ComponentConfig, StackConfig } from "../runner/types.js";
import { secretRefsIn } from "../secrets/names.js";
import { componentUri } from "../stack/uri.js";
import { isRemoteFlavor } from "./flavors.js";
import { gitState, stepImage, type GitState } from "./image.js";
import { stepJob } from "./job.js";
import type { PlannedBackend, StepBackend } from "./types.js";

/** Start timeouts and poll intervals per flavor when the config does not set them. */
const DEFAULTS: Record<string, { startTimeoutMs: number; pollMs: number }> = {
  vertex: { startTimeoutMs: 30 * 60_000, pollMs: 10_000 },
  kubernetes: { startTimeoutMs: 15 * 60_000, pollMs: 3_000 },
};
const FALLBACK = { startTimeoutMs: 15 * 60_000, pollMs: 3_000 };

/** Where the steps of one run execute. */
export interface BackendPlan {
  /** The steps submitted to a step backend, by node name (steps not listed run here). */
  readonly nodes: ReadonlyMap<string, PlannedBackend>;
  /** Plain data for the run record: `{ <step>: { backend, flavor, image } }` (no secrets). */
  record(): { [step: string]: JsonValue };
  /** Release the backends' clients. */
  close(): Promise<void>;
}

/** Options of {@link planBackends}. */
export interface PlanOptions {
  pipeline: Pipeline;
  stack: StackConfig;
  projectDir: string;
  /** Per-run overrides: step name → backend name (`--backend train=gpu`). */
  overrides?: Readonly<Record<string, string>> | undefined;
}

/** Parse `--backend step=name` flags into overrides (`USAGE` on a malformed one or a step given twice). */
export function parseBackendFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf("=");
    const step = flag.slice(0, at).trim();
    const name = flag.slice(at + 1).trim();
    if (at <= 0 || !name) throw new KoanError("USAGE", `--backend "${flag}" is not step=backend`, { hint: "e.g. --backend train=gpu (or train=local to run it here)" });
    if (step in out) throw new KoanError("USAGE", `--backend gives step "${step}" twice`);
    out[step] = name;
  }
  return out;
}

/** The backend name each node asks for. */
function wanted(options: PlanOptions): Map<string, string> {
  const { pipeline, overrides = {} } = options;
  for (const [step, name] of Object.entries(overrides)) {
    if (!pipeline.node(step)) {
      throw new KoanError("USAGE", `--backend names step "${step}", which pipeline "${pipeline.name}" does not have`, { hint: `steps: ${pipeline.order.join(", ")}` });
    }
    checkName(`backend for step "${step}"`, name);
  }
  return new Map(pipeline.order.map((n) => [n, overrides[n] ?? pipeline.node(n)?.step.backend ?? "local"]));
}

/** Why a remote job could not reach the stack's stores, or undefined when it can. */
export function unreachableStores(stack: StackConfig): string | undefined {
  const local: string[] = [];
  if (stack.artifactStore.flavor === "local") local.push(`keeps artifacts in a folder on this machine (${componentUri(stack.artifactStore)})`);
  if (stack.metadataStore.flavor === "sqlite") local.push(`keeps metadata in an SQLite file on this machine (${componentUri(stack.metadataStore)})`);
  return local.length ? `stack "${stack.name}" ${local.join(" and ")}, which a remote job cannot reach` : undefined;
}

function numberOr(value: JsonValue | undefined, fallback: number): number {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * Plan the run's backends. Returns undefined when every step runs here. Creates each remote backend once
 * (importing its SDK) and checks its credentials; throws a `KoanError` saying what is wrong otherwise.
 */
export async function planBackends(options: PlanOptions): Promise<BackendPlan | undefined> {
  const { pipeline, stack, projectDir } = options;
  const byNode = wanted(options);
  const remote = new Map<string, string>();
  for (const [node, name] of byNode) {
    const spec = stack.stepBackends?.[name];
    if (!spec) {
      if (name === "local") continue;
      const configured = Object.keys(stack.stepBackends ?? {});
      throw new KoanError("CONFIG_INVALID", `step "${node}" asks for step backend "${name}", which stack "${stack.name}" does not configure`, {
        hint: configured.length ? `configured step backends: ${configured.join(", ")}, local` : `stack "${stack.name}" has no step backends: register one (koan stack register ... --step-backend ${name}=vertex?region=...), or run it here with --backend ${node}=local`,
        details: { step: node, backend: name, stack: stack.name },
      });
    }
    getFlavor("step-backend", spec.flavor);
    if (spec.flavor === "local") continue;
    const why = isRemoteFlavor(spec.flavor) ? unreachableStores(stack) : undefined;
    if (why) {
      throw new KoanError("CONFIG_INVALID", `step "${node}" runs on step backend "${name}" (${spec.flavor}), but ${why}`, {
        hint: "use a stack with a shared artifact store (s3://, gs://, azure://) and a PostgreSQL metadata store, both reachable from the job (docs/stacks.md)",
        details: { step: node, backend: name, stack: stack.name },
      });
    }
    const secrets = secretRefsIn(spec.config);
    if (secrets.length) throw new KoanError("CONFIG_INVALID", `step backend "${name}": its config references secrets (${secrets.join(", ")}), which would be copied into job definitions`, { hint: "backends authenticate with the platform's own credentials; see docs/step-backends.md" });
    remote.set(node, name);
  }
  if (remote.size === 0) return undefined;

  let git: Promise<GitState | null> | undefined;
  const gitOnce = (): Promise<GitState | null> => (git ??= gitState(projectDir));
  const created = new Map<string, { backend: StepBackend; image: string }>();
  const nodes = new Map<string, PlannedBackend>();
  try {
    for (const [node, name] of remote) {
      const spec = stack.stepBackends?.[name] as ComponentConfig;
      let made = created.get(name);
      if (!made) {
        const backend = await createComponent<StepBackend>("step-backend", spec.flavor, spec.config, { projectDir });
        created.set(name, (made = { backend, image: "" }));
        try {
          await backend.check();
        } catch (e) {
          if (e instanceof KoanError) throw new KoanError(e.code, `step backend "${name}" (${spec.flavor}): ${e.message}`, { ...(e.hint ? { hint: e.hint } : {}), details: { ...e.details, backend: name } });
          throw e;
        }
        made.image = await stepImage(projectDir, typeof spec.config.image === "string" ? spec.config.image : undefined, `step backend "${name}" (${spec.flavor})`, gitOnce);
      }
      const defaults = DEFAULTS[spec.flavor] ?? FALLBACK;
      const env = (spec.config.env ?? {}) as Record<string, string>;
      const planned: PlannedBackend = {
        name,
        flavor: spec.flavor,
        image: made.image,
        backend: made.backend,
        startTimeoutMs: numberOr(spec.config.startTimeoutMs, defaults.startTimeoutMs),
        pollMs: numberOr(spec.config.pollMs, defaults.pollMs),
        env,
      };
      // Build the request once now, so a job the platform could not accept is refused before the run starts.
      const pnode = pipeline.node(node);
      if (pnode) made.backend.request(stepJob({ runId: "r-000000000-000000000000", pipeline: pipeline.name, node: pnode, image: made.image, stack, backendName: name, env }));
      nodes.set(node, planned);
    }
  } catch (e) {
    for (const { backend } of created.values()) await backend.close?.().catch(() => undefined);
    throw e;
  }
  return {
    nodes,
    record: () => Object.fromEntries([...nodes].map(([node, p]) => [node, { backend: p.name, flavor: p.flavor, image: p.image }])),
    close: async () => {
      for (const { backend } of created.values()) await backend.close?.().catch(() => undefined);
    },
  };
}
