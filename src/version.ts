/** Koan's version, read once from its package.json. @module */
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

/** The installed Koan version. */
export const KOAN_VERSION: string = pkg.version;
