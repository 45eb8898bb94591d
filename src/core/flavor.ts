/**
 * Flavors: the implementations of an extension point (artifact store, metadata store, orchestrator, and later
 * deployers and step backends). A flavor is data — a name, a config schema, a description — plus an
 * implementation that is imported only when the flavor is used, so `koan --help` loads no driver or SDK.
 *
 * @example
 * ```ts
 * defineFlavor({
 *   type: "artifact-store", name: "memory", description: "in-memory (tests)",
 *   config: z.object({}),
 *   load: async () => (await import("./memory.js")).open,
 * });
 * ```
 * @module
 */
import type { z } from "zod";
import { KoanError } from "./errors.js";
import { resolveSecrets, scrubError } from "../secrets/resolve.js";

/** Extension points. */
export type FlavorType = "artifact-store" | "metadata-store" | "orchestrator" | "deployer" | "step-backend";

/** What a flavor implementation gets besides its config. */
export interface FlavorContext {
  /** The project root (the folder holding `.koan/`); relative paths in configs are resolved against it. */
  readonly projectDir: string;
}

/** A flavor of one extension point. */
export interface Flavor<T = unknown, C = unknown> {
  readonly type: FlavorType;
  readonly name: string;
  readonly description: string;
  readonly config: z.ZodType<C>;
  /** Import the implementation; returns the factory. */
  load(): Promise<(config: C, context: FlavorContext) => Promise<T>>;
  /**
   * A cheap reachability probe of a created component (`koan stack describe`): resolves when the component
   * answers, throws a `KoanError` saying why not. Without one, creating the component is the check.
   */
  probe?(component: T): Promise<void>;
}

const flavors = new Map<string, Flavor>();

/** Register a flavor (names are unique per type). */
export function defineFlavor<T, C>(flavor: Flavor<T, C>): Flavor<T, C> {
  const key = `${flavor.type}/${flavor.name}`;
  if (flavors.has(key)) throw new KoanError("INTERNAL", `flavor ${key} is defined twice`);
  flavors.set(key, flavor as unknown as Flavor);
  return flavor;
}

/** The flavor of `type` named `name`. */
export function getFlavor(type: FlavorType, name: string): Flavor {
  const f = flavors.get(`${type}/${name}`);
  if (!f) {
    const known = listFlavors(type).map((x) => x.name);
    throw new KoanError("FLAVOR_UNKNOWN", `unknown ${type} flavor "${name}"`, { hint: `known flavors: ${known.join(", ") || "none"}` });
  }
  return f;
}

/** Registered flavors of a type, by name. */
export function listFlavors(type?: FlavorType): Flavor[] {
  return [...flavors.values()].filter((f) => !type || f.type === type).sort((a, b) => a.name.localeCompare(b.name));
}

function configError(type: FlavorType, name: string, issues: readonly { path: readonly PropertyKey[]; message: string }[]): KoanError {
  const issue = issues[0];
  return new KoanError("CONFIG_INVALID", `${type} "${name}": ${issue ? `${issue.path.map(String).join(".") || "config"}: ${issue.message}` : "invalid config"}`);
}

/**
 * Check a component's config without creating it or reading any secret: the flavor must exist and the config
 * must match its schema, with each `{{secret:NAME}}` reference standing in for a value. Throws
 * `FLAVOR_UNKNOWN` or `CONFIG_INVALID`.
 */
export function validateComponentConfig(type: FlavorType, name: string, config: unknown): void {
  const flavor = getFlavor(type, name);
  const { config: placeholder } = resolveSecrets(config, `${type} "${name}"`, () => "secret");
  const parsed = flavor.config.safeParse(placeholder);
  if (!parsed.success) throw configError(type, name, parsed.error.issues);
}

/**
 * Validate a component's config and create it. `{{secret:NAME}}` references are resolved here, and only
 * here; any error raised while creating the component is scrubbed of the secret values it used.
 */
export async function createComponent<T>(type: FlavorType, name: string, config: unknown, context: FlavorContext): Promise<T> {
  const flavor = getFlavor(type, name);
  const { config: resolved, values } = resolveSecrets(config, `${type} "${name}"`);
  try {
    const parsed = flavor.config.safeParse(resolved);
    if (!parsed.success) throw configError(type, name, parsed.error.issues);
    const factory = await flavor.load();
    return (await factory(parsed.data, context)) as T;
  } catch (e) {
    throw scrubError(e, values);
  }
}

/**
 * Create a component, run its flavor's probe (else `fallbackProbe`, if given), and close it: resolves when the
 * component is reachable, throws a `KoanError` (scrubbed of secrets) saying why not.
 */
export async function checkComponent(
  type: FlavorType,
  name: string,
  config: unknown,
  context: FlavorContext,
  fallbackProbe?: (component: unknown) => Promise<void>,
): Promise<void> {
  const flavor = getFlavor(type, name);
  const component = await createComponent<unknown>(type, name, config, context);
  const { values } = resolveSecrets(config, `${type} "${name}"`);
  try {
    if (flavor.probe) await flavor.probe(component);
    else if (fallbackProbe) await fallbackProbe(component);
  } catch (e) {
    throw scrubError(e, values);
  } finally {
    const closable = component as { close?: () => Promise<void> } | null;
    if (closable && typeof closable.close === "function") await closable.close().catch(() => undefined);
  }
}
