import type { JsonValue } from "../../../src/ui/api-types.js";
import { value } from "../format.js";

/** A JSON value, pretty-printed. */
export function Json({ data }: { data: unknown }) {
  return <pre class="json">{JSON.stringify(data, null, 2)}</pre>;
}

/** A two-column table of flattened keys and values. */
export function KeyValues({ entries, empty = "none" }: { entries: [string, JsonValue | undefined][]; empty?: string }) {
  if (!entries.length) return <span class="muted">{empty}</span>;
  return (
    <table class="kv">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{value(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Flatten a params object into `key.sub` entries. */
export function flatten(v: JsonValue | undefined, prefix = ""): [string, JsonValue][] {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    return Object.entries(v).flatMap(([k, x]) => flatten(x, prefix ? `${prefix}.${k}` : k));
  }
  return prefix && v !== undefined ? [[prefix, v]] : [];
}
