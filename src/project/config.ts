/**
 * The project configuration, `.koan/config.yaml`: named stacks and the active one. Validated on every read;
 * a bad file is an error naming the file and the field.
 * @module
 */
import { z } from "zod";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { KoanError } from "../core/errors.js";
import type { StackConfig } from "../runner/types.js";

const component = z.object({ flavor: z.string().min(1), config: z.record(z.string(), z.any()).default({}) }).strict();

/** Schema of `.koan/config.yaml` (version 1). */
export const projectConfigSchema = z
  .object({
    version: z.literal(1),
    activeStack: z.string().min(1),
    stacks: z.record(
      z.string(),
      z
        .object({
          artifactStore: component,
          metadataStore: component,
          orchestrator: component,
          /** Named step backends (`step({ backend: name })`): where single steps run remotely. Optional. */
          stepBackends: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, "a step backend name uses letters, digits, _ and -"), component).optional(),
        })
        .strict(),
    ),
  })
  .strict();

export type ProjectConfig = z.infer<typeof projectConfigSchema>;

/** The default, embedded stack: a folder and an SQLite file inside `.koan/`. */
export function defaultConfig(): ProjectConfig {
  return {
    version: 1,
    activeStack: "default",
    stacks: {
      default: {
        artifactStore: { flavor: "local", config: { path: ".koan/artifacts" } },
        metadataStore: { flavor: "sqlite", config: { path: ".koan/metadata.db" } },
        orchestrator: { flavor: "local", config: {} },
      },
    },
  };
}

/** Parse and validate config text. */
export function parseConfig(text: string, file: string): ProjectConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new KoanError("CONFIG_INVALID", `${file} is not valid YAML: ${(e as Error).message}`);
  }
  const r = projectConfigSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new KoanError("CONFIG_INVALID", `${file}: ${i?.path.join(".") || "(root)"}: ${i?.message ?? "invalid"}`);
  }
  if (!r.data.stacks[r.data.activeStack]) throw new KoanError("CONFIG_INVALID", `${file}: activeStack "${r.data.activeStack}" is not one of the stacks`);
  return r.data;
}

export function renderConfig(config: ProjectConfig): string {
  return `# Koan project configuration (see docs/stacks.md)\n${toYaml(config)}`;
}

/** The stack with the given name (default: the active one). */
export function stackOf(config: ProjectConfig, name?: string): StackConfig {
  const n = name ?? config.activeStack;
  const s = config.stacks[n];
  if (!s) throw new KoanError("CONFIG_INVALID", `no stack named "${n}"`, { hint: `stacks: ${Object.keys(config.stacks).join(", ")}` });
  return { name: n, ...s } as StackConfig;
}
