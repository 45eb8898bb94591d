/**
 * `koan stack describe`: validate each component of a stack and check that it is reachable — create it (the
 * same way a run does, secrets resolved only in memory), run a cheap probe, close it — and say which is not and
 * why. Output holds flavors, redacted URIs, configs with `***` for anything secret, and the names of the
 * secrets referenced; never a secret's value.
 * @module
 */
import { randomBytes } from "node:crypto";
import "../stores/flavors.js";
import "../orchestrators/flavors.js";
import "../backends/flavors.js";
import { isRemoteFlavor } from "../backends/flavors.js";
import { unreachableStores } from "../backends/plan.js";
import type { StepBackend } from "../backends/types.js";
import { KoanError, messageOf } from "../core/errors.js";
import { checkComponent, validateComponentConfig, type FlavorType } from "../core/flavor.js";
import type { JsonValue } from "../core/hash.js";
import type { Project } from "../project/project.js";
import { redactConfig } from "../secrets/redact.js";
import { secretRefsIn } from "../secrets/names.js";
import type { ArtifactStore } from "../stores/artifact/types.js";
import { ROLES, requireStack, type ComponentRole, type StackComponents } from "./registry.js";
import { componentUri } from "./uri.js";

/** The state of one component. */
export type ComponentStatus = "ok" | "unknown-flavor" | "invalid" | "unreachable";

/** What `describe` found for one component. */
export interface ComponentReport {
  role: ComponentRole | "stepBackend";
  /** The step backend's name (role `stepBackend`). */
  name?: string;
  type: FlavorType;
  flavor: string;
  uri: string;
  config: JsonValue;
  /** Names of the secrets its config references. */
  secrets: string[];
  status: ComponentStatus;
  error?: { code: string; message: string; hint?: string };
}

/** What `describe` found for a stack. */
export interface StackReport {
  name: string;
  active: boolean;
  /** True when every component is valid and reachable. */
  ok: boolean;
  components: ComponentReport[];
}

/** Probe an artifact store that has no flavor probe: its `check()` if it has one, else `exists` on a random hash. */
async function probeArtifactStore(component: unknown): Promise<void> {
  const store = component as ArtifactStore & { check?: () => Promise<void> };
  if (typeof store.check === "function") await store.check();
  else await store.exists(randomBytes(32).toString("hex"));
}

async function probeMetadataStore(component: unknown): Promise<void> {
  await (component as { schemaVersion(): Promise<number> }).schemaVersion();
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new KoanError("STORE_UNAVAILABLE", `${what} did not answer within ${Math.round(ms / 1000)} s`, { hint: "is the endpoint reachable from here?" })), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Describe and check the stack `name` (default: the active one). `timeoutMs` bounds each component's check. */
export async function describeStack(project: Project, name?: string, options: { timeoutMs?: number } = {}): Promise<StackReport> {
  const stackName = name ?? project.config.activeStack;
  requireStack(project, stackName);
  const stack = project.config.stacks[stackName] as StackComponents;
  const timeoutMs = options.timeoutMs ?? Number(process.env.KOAN_PROBE_TIMEOUT_MS ?? 20_000);
  const components: ComponentReport[] = [];
  const ctx = { projectDir: project.dir };
  for (const { role, type, label } of ROLES) {
    const fallback = type === "artifact-store" ? probeArtifactStore : type === "metadata-store" ? probeMetadataStore : undefined;
    components.push(await checkOne({ role }, type, label, stack[role], ctx, timeoutMs, fallback));
  }
  for (const [backendName, c] of Object.entries(stack.stepBackends ?? {})) {
    const label = `step backend ${backendName}`;
    const report = await checkOne({ role: "stepBackend", name: backendName }, "step-backend", label, c, ctx, timeoutMs, (b) => (b as StepBackend).check());
    const why = report.status === "ok" && isRemoteFlavor(c.flavor) ? unreachableStores({ name: stackName, ...stack }) : undefined;
    if (why) {
      report.status = "invalid";
      report.error = { code: "CONFIG_INVALID", message: `${label}: ${why}`, hint: "use a shared artifact store (s3://, gs://, azure://) and a PostgreSQL metadata store (docs/step-backends.md)" };
    }
    components.push(report);
  }
  return { name: stackName, active: stackName === project.config.activeStack, ok: components.every((c) => c.status === "ok"), components };
}

/** Validate one component and check it is reachable. */
async function checkOne(
  who: Pick<ComponentReport, "role" | "name">,
  type: FlavorType,
  label: string,
  c: StackComponents["artifactStore"],
  ctx: { projectDir: string },
  timeoutMs: number,
  fallback: ((component: unknown) => Promise<void>) | undefined,
): Promise<ComponentReport> {
  const report: ComponentReport = {
    ...who,
    type,
    flavor: c.flavor,
    uri: componentUri(c),
    config: redactConfig(c.config as JsonValue),
    secrets: secretRefsIn(c.config),
    status: "ok",
  };
  try {
    validateComponentConfig(type, c.flavor, c.config);
  } catch (e) {
    report.status = e instanceof KoanError && e.code === "FLAVOR_UNKNOWN" ? "unknown-flavor" : "invalid";
    report.error = errorOf(e, label);
    return report;
  }
  try {
    await withTimeout(checkComponent(type, c.flavor, c.config, ctx, fallback), timeoutMs, `the ${label} (${c.flavor})`);
  } catch (e) {
    report.status = e instanceof KoanError && e.code === "CONFIG_INVALID" ? "invalid" : "unreachable";
    report.error = errorOf(e, label);
  }
  return report;
}

function errorOf(e: unknown, label: string): { code: string; message: string; hint?: string } {
  const named = (m: string): string => (m.toLowerCase().startsWith(label) ? m : `${label}: ${m}`);
  if (e instanceof KoanError) return { code: e.code, message: named(e.message), ...(e.hint ? { hint: e.hint } : {}) };
  return { code: "STORE_UNAVAILABLE", message: named(messageOf(e)) };
}
