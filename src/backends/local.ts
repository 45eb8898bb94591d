/**
 * The `local` step backend: the step runs where the pipeline runs, through the runner's own attempts (inline or
 * in a child process). It exists so a stack or a run can name it (`--backend train=local`); nothing is submitted.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { StepBackend } from "./types.js";

/** Create the local backend. */
export function createLocalBackend(): StepBackend {
  const never = (): never => {
    throw new KoanError("INTERNAL", "the local step backend runs steps in the runner; it submits no jobs");
  };
  return {
    flavor: "local",
    check: async () => undefined,
    request: never,
    submit: async () => never(),
    status: async () => never(),
    cancel: async () => undefined,
  };
}
