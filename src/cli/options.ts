/** Options and helpers shared by command groups. @module */
import { Option } from "commander";

export const collect = (value: string, previous: string[]): string[] => [...previous, value];
export const json = (): Option => new Option("--json", "print machine-readable JSON only");
export const project = (): Option => new Option("-C, --project <dir>", "the project folder (default: this folder or the nearest parent with .koan/)");
export const stackOpt = (): Option => new Option("--stack <name>", "use this stack instead of the active one");

/** Wrap a command module so it is imported only when the command runs; its default export returns the exit code. */
export function lazy<A extends unknown[]>(load: () => Promise<{ default: (...args: A) => Promise<number> }>) {
  return async (...args: A): Promise<void> => {
    const mod = await load();
    process.exitCode = await mod.default(...args);
  };
}
