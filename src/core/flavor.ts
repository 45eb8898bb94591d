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

/** Extension points. */
export type FlavorType = "artifact-store" | "metadata-store" | "orchestrator";

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

/** Validate a component's config and create it. */
export async function createComponent<T>(type: FlavorType, name: string, config: unknown, context: FlavorContext): Promise<T> {
  const flavor = getFlavor(type, name);
  const parsed = flavor.config.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KoanError("CONFIG_INVALID", `${type} "${name}": ${issue ? `${issue.path.join(".") || "config"}: ${issue.message}` : "invalid config"}`);
  }
  const factory = await flavor.load();
  return (await factory(parsed.data, context)) as T;
}
