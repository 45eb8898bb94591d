/**
 * Credential references in remote store configs. Koan's config never needs a credential: by default each flavor
 * uses its cloud's standard provider chain. When a config does name one, it names where it lives:
 * `env:NAME` (an environment variable, read when the store opens) or `{{secret:name}}` (a Koan secret, resolved
 * before the flavor sees its config). Values are never echoed in errors.
 * @module
 */
import { KoanError } from "../../../core/errors.js";

const ENV = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
const SECRET = /^\{\{\s*secret:([^}]*)\}\}$/;

/** The value a credential field refers to. `field` is the config path, for messages. */
export function resolveReference(value: string, flavor: string, field: string, env: NodeJS.ProcessEnv = process.env): string {
  const e = ENV.exec(value);
  if (e) {
    const name = e[1] as string;
    const v = env[name];
    if (v === undefined || v === "") {
      throw new KoanError("CONFIG_INVALID", `artifact store ${flavor}: ${field} refers to the environment variable ${name}, which is not set`, {
        hint: `export ${name}, or remove ${field} to use the default credential chain`,
        details: { component: "artifact-store", flavor, field },
      });
    }
    return v;
  }
  const s = SECRET.exec(value.trim());
  if (s) {
    throw new KoanError("CONFIG_INVALID", `artifact store ${flavor}: ${field} refers to the secret "${s[1]}", which was not resolved`, {
      hint: `set it with \`koan secret set ${s[1]}\``,
      details: { component: "artifact-store", flavor, field },
    });
  }
  return value;
}
