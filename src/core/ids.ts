/**
 * Identifiers for runs, step runs and artifacts: time-ordered (so they sort by creation) plus 48 random bits.
 * Ids are never part of hashed content, so their randomness does not affect reproducibility.
 * @module
 */
import { randomBytes } from "node:crypto";

/** A new id such as `r-mfx3k2a1-9f2c4e1ab3d0`. */
export function newId(prefix: "r" | "s" | "a" | "d"): string {
  const time = Date.now().toString(36).padStart(9, "0");
  return `${prefix}-${time}-${randomBytes(6).toString("hex")}`;
}
