/** Small HTML building blocks of the report: escaping, tables, sections, the page. @module */

/** Escape text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** A number as the report prints it (integers whole, others to 4 significant digits; null as —). */
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}

/** A table; cells are HTML already (escape text with {@link esc}). */
export function table(head: readonly string[], rows: readonly (readonly string[])[], className = ""): string {
  return `<table class="${esc(className)}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}

/** A section with an anchor. */
export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;
}

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg2: #f6f8fa; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; }
header { padding: 20px 32px; border-bottom: 1px solid var(--line); background: var(--bg2); }
header h1 { margin: 0 0 4px; font-size: 22px; }
nav { padding: 8px 32px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: white; z-index: 1; }
nav a { margin-right: 16px; color: #0969da; text-decoration: none; }
main { padding: 8px 32px 48px; max-width: 1280px; }
section { margin-top: 28px; }
h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 8px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg2); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; }
.warn { background: #fff8c5; border: 1px solid #d4a72c; padding: 6px 10px; border-radius: 6px; }
.grid { display: flex; flex-wrap: wrap; gap: 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.feature { display: grid; grid-template-columns: 260px 1fr; gap: 12px; align-items: start; border-top: 1px solid var(--line); padding: 8px 0; }
code { background: var(--bg2); padding: 1px 4px; border-radius: 4px; }
svg { max-width: 100%; height: auto; }
`;

/** The whole page: one self-contained file (inline CSS and SVG, no scripts, no external resources). */
export function page(title: string, header: string, nav: readonly [string, string][], body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="koan">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>${header}</header>
<nav>${nav.map(([id, label]) => `<a href="#${esc(id)}">${esc(label)}</a>`).join("")}</nav>
<main>
${body}
</main>
</body>
</html>
`;
}
