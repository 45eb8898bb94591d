/**
 * The vertex step backend without the cloud: the CustomJob request body against the documented REST shape, and
 * the mapping of job states (succeeded, failed, cancelled, quota, image pull, never started) served by a local
 * fake of the customJobs API, followed the way a run follows a job (cancel included).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Ajv } from "ajv";
import { KoanError } from "../../src/core/errors.js";
import { followJob } from "../../src/backends/follow.js";
import { createVertexBackend } from "../../src/backends/vertex/backend.js";
import { customJobRequest } from "../../src/backends/vertex/request.js";
import { vertexFailureReason } from "../../src/backends/vertex/state.js";
import { REPO } from "../helpers.js";
import { fakeServer, type FakeServer } from "./fake-server.js";
import { fakeVertex, JOB } from "./fake-vertex.js";
import { config, job } from "./vertex-job.js";

/**
 * The CustomJob fields Koan writes, as the v1 REST reference documents them (CustomJob, CustomJobSpec,
 * WorkerPoolSpec, MachineSpec, DiskSpec, ContainerSpec, EnvVar, Scheduling); anything else is an error.
 */
const customJobSchema = {
  type: "object",
  additionalProperties: false,
  required: ["displayName", "jobSpec"],
  properties: {
    displayName: { type: "string", maxLength: 128 },
    labels: { type: "object", additionalProperties: { type: "string", pattern: "^[a-z0-9_-]{0,63}$" }, propertyNames: { pattern: "^[a-z][a-z0-9_-]{0,62}$" } },
    jobSpec: {
      type: "object",
      additionalProperties: false,
      required: ["workerPoolSpecs"],
      properties: {
        workerPoolSpecs: {
          type: "array",
          minItems: 1,
          items: {
            type: "object",
            additionalProperties: false,
            required: ["machineSpec", "replicaCount", "containerSpec"],
            properties: {
              machineSpec: {
                type: "object",
                additionalProperties: false,
                required: ["machineType"],
                properties: { machineType: { type: "string" }, acceleratorType: { type: "string", pattern: "^[A-Z0-9_]+$" }, acceleratorCount: { type: "integer", minimum: 1 } },
              },
              replicaCount: { type: "string", pattern: "^[0-9]+$" },
              diskSpec: { type: "object", additionalProperties: false, properties: { bootDiskType: { type: "string" }, bootDiskSizeGb: { type: "integer" } } },
              containerSpec: {
                type: "object",
                additionalProperties: false,
                required: ["imageUri"],
                properties: {
                  imageUri: { type: "string" },
                  command: { type: "array", items: { type: "string" } },
                  args: { type: "array", items: { type: "string" } },
                  env: { type: "array", items: { type: "object", additionalProperties: false, required: ["name", "value"], properties: { name: { type: "string" }, value: { type: "string" } } } },
                },
              },
            },
          },
        },
        serviceAccount: { type: "string" },
        network: { type: "string" },
        scheduling: { type: "object", additionalProperties: false, properties: { timeout: { type: "string", pattern: "^[0-9]+(\\.[0-9]+)?s$" }, restartJobOnWorkerRestart: { type: "boolean" } } },
      },
    },
  },
};

describe("vertex request body", () => {
  it("is a CustomJob in the documented shape: machine, accelerators, image, koan step-run, service account, deadline", () => {
    const req = customJobRequest(job(), config(), "acme");
    assert.equal(req.method, "POST");
    assert.equal(req.url, "https://us-central1-aiplatform.googleapis.com/v1/projects/acme/locations/us-central1/customJobs");
    const check = new Ajv({ allErrors: true, strict: false }).compile(customJobSchema);
    assert.ok(check(req.body), JSON.stringify(check.errors));
    const body = req.body as { displayName: string; jobSpec: { workerPoolSpecs: { machineSpec: unknown; containerSpec: { imageUri: string; command: string[]; args: string[]; env: { name: string; value: string }[] } }[]; serviceAccount: string; scheduling: { timeout: string } } };
    const pool = body.jobSpec.workerPoolSpecs[0];
    assert.deepEqual(pool?.machineSpec, { machineType: "n1-standard-8", acceleratorType: "NVIDIA_TESLA_T4", acceleratorCount: 2 });
    assert.equal(pool?.containerSpec.imageUri, "us-central1-docker.pkg.dev/acme/koan/app:3f2a1c");
    assert.deepEqual([...(pool?.containerSpec.command ?? []), ...(pool?.containerSpec.args ?? [])], ["koan", "step-run", "r-m7u2k1a0-9f2c4e1ab3d0", "train"]);
    assert.ok(pool?.containerSpec.env.some((e) => e.name === "TF_CPP_MIN_LOG_LEVEL" && e.value === "2"));
    assert.ok(pool?.containerSpec.env.some((e) => e.name === "KOAN_STACK" && e.value === "team"));
    assert.equal(body.jobSpec.serviceAccount, "koan-jobs@acme.iam.gserviceaccount.com");
    // 2 attempts × 1 h + 1 s retry delay + 600 s of start-up.
    assert.equal(body.jobSpec.scheduling.timeout, `${7200 + 1 + 600}s`);
    assert.equal(body.displayName, "koan-train-9f2c4e1ab3d0");
  });

  it("uses the config's accelerator count when the step asks for no GPU, and none at all by default", () => {
    const noGpu = customJobRequest(job({ resources: undefined }), config({ acceleratorCount: 1 }), "acme");
    assert.deepEqual((noGpu.body as { jobSpec: { workerPoolSpecs: { machineSpec: unknown }[] } }).jobSpec.workerPoolSpecs[0]?.machineSpec, { machineType: "n1-standard-8", acceleratorType: "NVIDIA_TESLA_T4", acceleratorCount: 1 });
    const cpu = customJobRequest(job({ resources: undefined }), config({ acceleratorType: undefined }), "acme");
    assert.deepEqual((cpu.body as { jobSpec: { workerPoolSpecs: { machineSpec: unknown }[] } }).jobSpec.workerPoolSpecs[0]?.machineSpec, { machineType: "n1-standard-8" });
  });

  it("refuses GPUs without an accelerator type, and secrets it could only put in clear", () => {
    assert.throws(() => customJobRequest(job(), config({ acceleratorType: undefined }), "acme"), (e: unknown) => e instanceof KoanError && e.code === "CONFIG_INVALID" && /acceleratorType/.test(e.message));
    assert.throws(
      () => customJobRequest(job({ secrets: ["db-password"] }), config(), "acme"),
      (e: unknown) => e instanceof KoanError && e.code === "CONFIG_INVALID" && /db-password/.test(e.message) && /service account|kubernetes/.test(e.hint ?? ""),
    );
  });

  it("refuses a config without a project", () => {
    const saved = process.env.GOOGLE_CLOUD_PROJECT;
    delete process.env.GOOGLE_CLOUD_PROJECT;
    try {
      const backend = createVertexBackend(config({ project: undefined }), { token: async () => "t" });
      assert.throws(() => backend.request(job()), (e: unknown) => e instanceof KoanError && e.code === "CONFIG_INVALID" && /project/.test(e.message));
    } finally {
      if (saved !== undefined) process.env.GOOGLE_CLOUD_PROJECT = saved;
    }
  });
});

describe("vertex job states against recorded responses", () => {
  let server: FakeServer;
  const fake = fakeVertex();
  before(async () => {
    server = await fakeServer(fake.routes);
  });
  after(() => server.close());

  const backend = () => createVertexBackend(config({ apiEndpoint: server.url, loggingEndpoint: server.url }), { token: async () => "test-token" });
  async function follow(states: string[], options: { startTimeoutMs?: number; signal?: AbortSignal } = {}) {
    fake.reset({ states });
    server.requests.length = 0;
    const b = backend();
    const handle = await b.submit(job());
    assert.equal(handle.id, JOB);
    return followJob(b, handle, { step: "train", signal: options.signal ?? new AbortController().signal, pollMs: 5, startTimeoutMs: options.startTimeoutMs ?? 60_000 });
  }

  it("sends the token and the body, and maps a job that runs and succeeds", async () => {
    const outcome = await follow(["job-pending", "job-running", "job-succeeded"]);
    assert.equal(outcome.kind, "succeeded");
    const post = server.requests.find((r) => r.method === "POST");
    assert.equal(post?.headers.authorization, "Bearer test-token");
    assert.equal((post?.body as { displayName: string }).displayName, "koan-train-9f2c4e1ab3d0");
    assert.equal(server.requests.filter((r) => r.method === "GET").length, 3);
  });

  it("maps a job whose container failed to a step failure carrying the job's error", async () => {
    const outcome = await follow(["job-running", "job-failed"]);
    assert.equal(outcome.kind, "failed");
    if (outcome.kind !== "failed") return;
    assert.equal(outcome.reason, "error");
    assert.equal(outcome.error.code, "STEP_FAILED");
    assert.match(outcome.error.message, /workerpool0-0 exited with a non-zero status of 1/);
  });

  it("maps a job cancelled outside Koan to a cancelled step", async () => {
    const outcome = await follow(["job-running", "job-cancelled"]);
    assert.equal(outcome.kind, "cancelled");
    if (outcome.kind === "cancelled") assert.equal(outcome.error.code, "RUN_CANCELLED");
  });

  it("maps a quota failure with a hint about quotas", async () => {
    const outcome = await follow(["job-pending", "job-failed-quota"]);
    assert.equal(outcome.kind, "failed");
    if (outcome.kind !== "failed") return;
    assert.equal(outcome.reason, "quota");
    assert.match(outcome.error.message, /custom_model_training_nvidia_t4_gpus/);
    assert.match(outcome.error.hint ?? "", /quota/);
  });

  it("maps an image that cannot be pulled", async () => {
    const outcome = await follow(["job-pending", "job-failed-image"]);
    assert.equal(outcome.kind, "failed");
    if (outcome.kind !== "failed") return;
    assert.equal(outcome.reason, "image-pull");
    assert.match(outcome.error.hint ?? "", /push/);
  });

  it("refuses a create the quota refuses (HTTP 429) and one the credentials may not make (HTTP 403)", async () => {
    fake.reset({ created: { status: 429, name: "create-quota-429" } });
    await assert.rejects(backend().submit(job()), (e: unknown) => e instanceof KoanError && e.details.reason === "quota" && /RESOURCE_EXHAUSTED/.test(e.message) && /quota/i.test(e.hint ?? ""));
    fake.reset({ created: { status: 403, name: "create-denied-403" } });
    await assert.rejects(backend().submit(job()), (e: unknown) => e instanceof KoanError && e.code === "CONFIG_INVALID" && /aiplatform\.user/.test(e.hint ?? ""));
  });

  it("times out a job that never starts, names its last state, and cancels it", async () => {
    const outcome = await follow(["job-pending"], { startTimeoutMs: 30 });
    assert.equal(outcome.kind, "never-started");
    if (outcome.kind !== "never-started") return;
    assert.equal(outcome.error.code, "STEP_TIMEOUT");
    assert.match(outcome.error.message, /did not start within .*last event: JOB_STATE_PENDING since 2025-03-04T10:00:01/);
    assert.ok(server.requests.some((r) => r.method === "POST" && r.path === `/v1/${JOB}:cancel`), "the job is cancelled");
  });

  it("cancels the job when the run is cancelled", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 40);
    const outcome = await follow(["job-running"], { signal: controller.signal });
    assert.equal(outcome.kind, "cancelled");
    assert.ok(server.requests.some((r) => r.method === "POST" && r.path === `/v1/${JOB}:cancel`));
  });

  it("classifies errors by code and message", () => {
    assert.equal(vertexFailureReason({ code: 8, message: "x" }), "quota");
    assert.equal(vertexFailureReason({ code: 4, message: "x" }), "deadline");
    assert.equal(vertexFailureReason({ code: 3, message: "The replica workerpool0-0 exited with a non-zero status of 137. Termination reason: OOMKilled." }), "error");
    assert.equal(vertexFailureReason({ code: 3, message: "Invalid machine type n9-giant" }), "config");
  });
});

describe("vertex credentials", () => {
  it("refuses, before anything is sent, when Application Default Credentials give no token", async () => {
    const saved = { ...process.env };
    process.env.GOOGLE_APPLICATION_CREDENTIALS = join(REPO, "test", "backends", "fixtures", "no-such-key.json");
    try {
      const b = createVertexBackend(config());
      await assert.rejects(b.check(), (e: unknown) => e instanceof KoanError && e.code === "CONFIG_INVALID" && /credentials/.test(e.message) && /gcloud auth application-default login/.test(e.hint ?? ""));
    } finally {
      process.env = saved;
    }
  });
});
