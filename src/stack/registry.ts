/**
 * The stack registry of a project (`.koan/config.yaml`): register, list, activate and delete named stacks.
 * Every change is validated completely (names, flavors, configs) before the file is rewritten atomically, so a
 * bad stack is never partially registered.
 * @module
 */
import { KoanError } from "../core/errors.js";
import { validateComponentConfig, type FlavorType } from "../core/flavor.js";
import type { Project } from "../project/project.js";
import { saveProjectConfig } from "../project/project.js";
import type { ProjectConfig } from "../project/config.js";
import { secretRefsIn } from "../secrets/names.js";
import { componentUri, parseArtifactStoreUri, parseMetadataStoreUri, type ComponentSpec } from "./uri.js";

/** The components of a stack, by role. */
export interface StackComponents {
  artifactStore: ComponentSpec;
  metadataStore: ComponentSpec;
  orchestrator: ComponentSpec;
  /** Named step backends (`step({ backend: name })`); see docs/step-backends.md. */
  stepBackends?: Record<string, ComponentSpec>;
}

/** The roles every stack fills (step backends are a named map beside them). */
export type ComponentRole = "artifactStore" | "metadataStore" | "orchestrator";

/** Roles of stack components, with their extension point, in display order. */
export const ROLES: readonly { role: ComponentRole; type: FlavorType; label: string }[] = [
  { role: "artifactStore", type: "artifact-store", label: "artifact store" },
  { role: "metadataStore", type: "metadata-store", label: "metadata store" },
  { role: "orchestrator", type: "orchestrator", label: "orchestrator" },
];

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Throw `USAGE` unless `name` is a valid stack name. */
export function checkStackName(name: string): void {
  if (!STACK_NAME.test(name)) throw new KoanError("USAGE", `"${name}" is not a valid stack name`, { hint: "use letters, digits, _, . and - (at most 64), starting with a letter or digit" });
}

/** Build a stack's components from CLI URIs (no flavor needs to be registered to parse). */
export function componentsFromUris(
  uris: { artifactStore: string; metadataStore: string; orchestrator?: string; stepBackends?: Record<string, ComponentSpec> },
  cwd: string = process.cwd(),
): StackComponents {
  return {
    artifactStore: parseArtifactStoreUri(uris.artifactStore, cwd),
    metadataStore: parseMetadataStoreUri(uris.metadataStore, cwd),
    orchestrator: { flavor: uris.orchestrator ?? "local", config: {} },
    ...(uris.stepBackends && Object.keys(uris.stepBackends).length ? { stepBackends: uris.stepBackends } : {}),
  };
}

/** Check every component's flavor and config (no secret is read). Throws `FLAVOR_UNKNOWN` or `CONFIG_INVALID` naming the component. */
export function validateStack(components: StackComponents): void {
  for (const { role, type, label } of ROLES) {
    const c = components[role];
    try {
      validateComponentConfig(type, c.flavor, c.config);
    } catch (e) {
      if (e instanceof KoanError) throw new KoanError(e.code, `${label}: ${e.message}`, { ...(e.hint ? { hint: e.hint } : {}), details: { ...e.details, component: role } });
      throw e;
    }
  }
  for (const [name, c] of Object.entries(components.stepBackends ?? {})) {
    if (name === "local" && c.flavor !== "local") {
      throw new KoanError("USAGE", `step backend "local" must have the local flavor (it means: where the pipeline runs)`, { hint: "give the backend another name, e.g. gpu=" + c.flavor, details: { component: "stepBackends.local" } });
    }
    if (secretRefsIn(c.config).length) {
      throw new KoanError("CONFIG_INVALID", `step backend "${name}": its config references secrets (${secretRefsIn(c.config).join(", ")}), which would be copied into job definitions`, {
        hint: "jobs get the stack's secrets by reference (see docs/step-backends.md); backends authenticate with the platform's own credentials",
        details: { component: `stepBackends.${name}` },
      });
    }
    try {
      validateComponentConfig("step-backend", c.flavor, c.config);
    } catch (e) {
      if (e instanceof KoanError) throw new KoanError(e.code, `step backend "${name}": ${e.message}`, { ...(e.hint ? { hint: e.hint } : {}), details: { ...e.details, component: `stepBackends.${name}` } });
      throw e;
    }
  }
}

/** Add a stack (validated first; refuses an existing name). With `activate`, it also becomes the active stack. */
export async function registerStack(project: Project, name: string, components: StackComponents, options: { activate?: boolean } = {}): Promise<Project> {
  checkStackName(name);
  if (project.config.stacks[name]) throw new KoanError("USAGE", `a stack named "${name}" already exists`, { hint: `delete it first (koan stack delete ${name}) or choose another name` });
  validateStack(components);
  const config: ProjectConfig = {
    ...project.config,
    ...(options.activate ? { activeStack: name } : {}),
    stacks: { ...project.config.stacks, [name]: components },
  };
  return saveProjectConfig(project, config);
}

/** Make a stack the active one. */
export async function useStack(project: Project, name: string): Promise<Project> {
  requireStack(project, name);
  return saveProjectConfig(project, { ...project.config, activeStack: name });
}

/** Delete a stack (never the active one). Its stores' contents are not touched. */
export async function deleteStack(project: Project, name: string): Promise<Project> {
  requireStack(project, name);
  if (project.config.activeStack === name) throw new KoanError("USAGE", `stack "${name}" is the active stack and cannot be deleted`, { hint: "switch to another first: koan stack use <name>" });
  const stacks = { ...project.config.stacks };
  delete stacks[name];
  return saveProjectConfig(project, { ...project.config, stacks });
}

/** A stack's summary row (redacted URIs). */
export interface StackSummary {
  name: string;
  active: boolean;
  artifactStore: { flavor: string; uri: string };
  metadataStore: { flavor: string; uri: string };
  orchestrator: { flavor: string };
  /** Step backend names with their flavors (absent when the stack has none). */
  stepBackends?: Record<string, string>;
}

/** Every stack of the project, by name. */
export function listStacks(project: Project): StackSummary[] {
  return Object.entries(project.config.stacks)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => ({
      name,
      active: name === project.config.activeStack,
      artifactStore: { flavor: s.artifactStore.flavor, uri: componentUri(s.artifactStore) },
      metadataStore: { flavor: s.metadataStore.flavor, uri: componentUri(s.metadataStore) },
      orchestrator: { flavor: s.orchestrator.flavor },
      ...(s.stepBackends && Object.keys(s.stepBackends).length
        ? { stepBackends: Object.fromEntries(Object.entries(s.stepBackends).map(([n, c]) => [n, c.flavor])) }
        : {}),
    }));
}

/** Throw `NOT_FOUND` unless the project has a stack named `name`. */
export function requireStack(project: Project, name: string): void {
  if (!project.config.stacks[name]) {
    throw new KoanError("NOT_FOUND", `no stack named "${name}"`, { hint: `stacks: ${Object.keys(project.config.stacks).sort().join(", ")}` });
  }
}
