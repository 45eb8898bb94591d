/** `koan compare <run> <run> [...]`: what differs between runs, and which is best per metric. @module */
import type { JsonValue } from "../../core/hash.js";
import { compareRuns } from "../../compare/compare.js";
import type { Comparison, DiffRow } from "../../compare/types.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, paint, printJson } from "../output.js";

const visible = (s: string): number => s.replace(/\u001b\[[0-9;]*m/g, "").length;

/** An aligned table whose cells may hold colour codes. */
function grid(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ""))));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c + " ".repeat(Math.max(0, (widths[i] ?? 0) - visible(c)))).join("  ").trimEnd();
  return [paint("bold", line(header)), ...rows.map(line)].join("\n");
}

function show(v: JsonValue | null): string {
  if (v === null) return "-";
  return typeof v === "string" ? v : JSON.stringify(v);
}

const hash = (v: string | null): string => (v === null ? "-" : /^[0-9a-f]{64}$/.test(v) ? v.slice(0, 12) : v);
const num = (v: number | null): string => (v === null ? "-" : String(Number(v.toPrecision(6))));

/** Render a comparison as text sections (only differing rows unless `all`). */
export function renderComparison(c: Comparison, all: boolean): string {
  const header = ["", ...c.runs.map((r) => r.id)];
  const out: string[] = [];
  out.push(grid(["run", ...c.runs.map((r) => r.id)], [
    ["pipeline", ...c.runs.map((r) => r.pipeline)],
    ["status", ...c.runs.map((r) => r.status)],
    ["started", ...c.runs.map((r) => r.startedAt.replace("T", " ").slice(0, 19))],
  ]));
  const section = <V>(title: string, rows: DiffRow<V>[], fmt: (v: V | null) => string): void => {
    const shown = rows.filter((r) => all || r.differs);
    const same = rows.length - shown.length;
    out.push("");
    out.push(paint("bold", `${title}${same ? paint("dim", ` (${same} identical not shown)`) : ""}`));
    if (!shown.length) out.push(paint("dim", rows.length ? "  all identical" : "  none"));
    else out.push(grid(header.map((h, i) => (i === 0 ? title.split(" ")[0] ?? "" : h)), shown.map((r) => [r.key, ...r.values.map((v) => fmt(v))])));
  };
  section<JsonValue>("parameters", c.params, show);
  section("code versions", c.code, hash);
  section("dataset versions", c.datasets, hash);
  out.push("");
  out.push(paint("bold", "metrics") + paint("dim", "  (* best: lower is better for losses and errors, else higher)"));
  if (!c.metrics.length) out.push(paint("dim", "  none logged"));
  else {
    out.push(grid(["metric", ...c.runs.map((r) => r.id)], c.metrics.map((m) => [
      `${m.key} ${m.direction === "min" ? "↓" : "↑"}`,
      ...m.values.map((v, i) => (m.best.includes(i) ? paint("green", `${num(v)} *`) : num(v))),
    ])));
  }
  return out.join("\n");
}

export default async function compare(refs: string[], opts: ProjectOptions & { json?: boolean; all?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const c = await compareRuns(koan, refs);
    if (opts.json) printJson(c);
    else process.stdout.write(`${renderComparison(c, Boolean(opts.all))}\n`);
    return EXIT.ok;
  });
}
