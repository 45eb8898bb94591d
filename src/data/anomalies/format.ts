/**
 * Number and value formatting of anomaly descriptions, as TFDV prints them.
 * @module
 */

/**
 * A number as C's `%g` with 6 significant digits (absl::SixDigits): `0.0342144`, `1e-07`, `1.23457e+06`.
 * @example
 * sixDigits(1 / 3) // "0.333333"
 */
export function sixDigits(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return "0";
  const [mantissa, expText] = x.toExponential(5).split("e");
  const exp = Number(expText);
  const strip = (s: string): string => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= 6) return `${strip(mantissa)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return strip(x.toFixed(5 - exp));
}

/** `count/total` as TFDV words it: `<1%`, `~x%` (floor), or `?` without a total. */
export function percentage(count: number, total: number): string {
  if (!(total > 0)) return "?";
  const percent = (100 * count) / total;
  return percent < 1 ? "<1%" : `~${Math.floor(percent)}%`;
}

/** A value with control characters, quotes and backslashes C-escaped (UTF-8 text kept as is). */
export function cEscape(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f"'\\]/g, (c) => {
    switch (c) {
      case "\n": return "\\n";
      case "\r": return "\\r";
      case "\t": return "\\t";
      case '"': return '\\"';
      case "'": return "\\'";
      case "\\": return "\\\\";
      default: return `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`;
    }
  });
}
