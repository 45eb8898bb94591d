/**
 * Step backends: where one step runs when it should not run where the pipeline runs — a Vertex AI `CustomJob`
 * or a Kubernetes `batch/v1` Job. The orchestrator still decides *when* a step runs; a backend decides *where*.
 *
 * A remote job runs `koan step-run <run-id> <step>` in the project's image: it reads the step's inputs from the
 * stack's artifact store, writes its outputs there and records the step run in the metadata store, exactly as a
 * local step does. The local side submits the job, follows it, and maps its end state onto the step run.
 * @module
 */
import type { StepResources } from "../core/step.js";

/** One environment variable with a plain (non-secret) value. */
export interface EnvVar {
  name: string;
  value: string;
}

/** What a backend is asked to run: one step of one run, as `koan step-run`. */
export interface StepJob {
  /** Job name: DNS-1123, at most 63 characters, unique per run and step. */
  readonly name: string;
  readonly runId: string;
  readonly pipeline: string;
  /** The step's name in the pipeline. */
  readonly step: string;
  /** The container image (the project at the recorded commit; see `koan build`). */
  readonly image: string;
  /** The container's command line: `koan step-run <run-id> <step> ...`. */
  readonly command: readonly string[];
  /** Plain environment variables (never a secret value). */
  readonly env: readonly EnvVar[];
  /**
   * Names of the Koan secrets the stack's components reference (`{{secret:NAME}}`). The job needs each as the
   * environment variable `KOAN_SECRET_<NAME>`; a backend references them from the platform's secret store or
   * refuses — it never copies a value into a job definition.
   */
  readonly secrets: readonly string[];
  /** What the step asked for (`step({ resources })`). */
  readonly resources: StepResources | undefined;
  /** Deadline for the whole job, from the step's timeout and retries (undefined: none). */
  readonly deadlineSeconds: number | undefined;
  /** Labels identifying the job (run, step, Koan version). */
  readonly labels: Readonly<Record<string, string>>;
}

/** A submitted job. */
export interface JobHandle {
  /** The platform's id (Vertex AI resource name; Kubernetes `namespace/name`). */
  readonly id: string;
  /** The job's name as the user sees it in the platform's console. */
  readonly name: string;
}

/** Coarse job phases, the same for every backend. */
export type JobPhase = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** Why a job failed, as far as the platform says. */
export type JobFailureReason =
  /** The container exited with an error (the step's own failure, usually recorded by `koan step-run`). */
  | "error"
  /** A quota or capacity limit (GPUs, CPUs) refused the job. */
  | "quota"
  /** The image could not be pulled (missing, not pushed, or no permission). */
  | "image-pull"
  /** The job's deadline passed. */
  | "deadline"
  /** The platform refused the job's definition (bad machine type, missing secret, ...). */
  | "config";

/** One observation of a job. */
export interface JobStatus {
  readonly phase: JobPhase;
  /** For `failed`: the platform's error in its own words, and its kind. */
  readonly error?: { readonly message: string; readonly reason: JobFailureReason };
  /** The latest thing the platform said about the job (an event, a condition, a state message). */
  readonly lastEvent?: string;
  /** For `failed`: the platform still holds the job (a pod stuck on a problem); it is cancelled to free it. */
  readonly stuck?: boolean;
}

/** A step backend: submits, observes and cancels jobs on one platform. */
export interface StepBackend {
  readonly flavor: string;
  /**
   * Check what is needed before anything is submitted (credentials, a configured cluster); throws a
   * `KoanError` (`CONFIG_INVALID`) saying what is missing.
   */
  check(): Promise<void>;
  /** The platform request `submit` would send for `job` (for `--dry-run` output and tests); no side effect. */
  request(job: StepJob): unknown;
  /** Submit the job. */
  submit(job: StepJob): Promise<JobHandle>;
  /** The job's current state. */
  status(handle: JobHandle): Promise<JobStatus>;
  /**
   * Log lines the job printed since the previous call, each exactly once and in order (see `LogCursor`); called
   * on every poll once the job runs, and once more after it ended. Throws a `KoanError` `CONFIG_INVALID` when
   * the log may not be read (the run then warns once and follows the state only).
   */
  logs?(handle: JobHandle): Promise<string[]>;
  /**
   * How long the log is still read after the job ended (ms, default 0): for logs that reach their store with a
   * delay (Cloud Logging), so lines written just before the end are not lost.
   */
  readonly logSettleMs?: number;
  /** Cancel the job (a finished or missing job is fine). */
  cancel(handle: JobHandle): Promise<void>;
  close?(): Promise<void>;
}

/** A step's backend as resolved for one run. */
export interface PlannedBackend {
  /** The backend's name in the stack. */
  readonly name: string;
  readonly flavor: string;
  /** The image remote jobs run. */
  readonly image: string;
  readonly backend: StepBackend;
  /** How long a job may stay queued before it counts as never started. */
  readonly startTimeoutMs: number;
  /** How often the job's state is read. */
  readonly pollMs: number;
  /** Extra plain environment variables from the backend's config. */
  readonly env: Readonly<Record<string, string>>;
}
