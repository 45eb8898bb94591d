/** Benchmark helpers: medians, timing, and printing figures (never pass/fail). */
import { performance } from "node:perf_hooks";

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Print one figure line: name, value with unit, and an optional target note. */
export function figure(name: string, value: number, unit: string, note = ""): void {
  const v = Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(4);
  process.stdout.write(`  ${name.padEnd(58)} ${v.padStart(10)} ${unit.padEnd(6)} ${note}\n`);
}
