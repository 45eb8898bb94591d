/**
 * The kubernetes step backend without a cluster: the batch/v1 Job manifest (typed with @kubernetes/client-node,
 * round-tripped through its serializer, its container checked against the Kubernetes core/v1 schema shipped
 * with Argo's), and the mapping of Job/pod/event states (succeeded, failed, deadline, image pull, quota, missing
 * Secret, unschedulable) served to the real client by a local fake API server; cancel deletes the Job.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { KubeConfig, type V1Job, type V1Pod } from "@kubernetes/client-node";
import { ObjectSerializer } from "@kubernetes/client-node/dist/gen/models/ObjectSerializer.js";
import { KoanError } from "../../src/core/errors.js";
import { pipeline } from "../../src/core/pipeline.js";
import { step } from "../../src/core/step.js";
import { types as t } from "../../src/core/types.js";
import { kubernetesBackendConfig } from "../../src/backends/flavors.js";
import { followJob } from "../../src/backends/follow.js";
import { stepJob } from "../../src/backends/job.js";
import { createKubernetesBackend } from "../../src/backends/kubernetes/backend.js";
import { cpuQuantity, jobManifest } from "../../src/backends/kubernetes/manifest.js";
import type { StackConfig } from "../../src/runner/types.js";
import { REPO } from "../helpers.js";
import { HAS_ARGO_SCHEMA, validateArgo } from "../export/argo-schema.js";
import { podLogRoute, type PodLogLine } from "./fake-pod-log.js";
import { fakeServer, type FakeServer } from "./fake-server.js";

interface Objects {
  job: Record<string, V1Job>;
  pod: Record<string, unknown>;
  events: Record<string, unknown[]>;
  names: { job: string; pod: string; namespace: string };
}
const OBJ = JSON.parse(readFileSync(join(REPO, "test", "backends", "fixtures", "kubernetes", "objects.json"), "utf8")) as Objects;
const NS = OBJ.names.namespace;

/** The training pod's log: all there from the first read. */
const TRAIN_LOG: PodLogLine[] = [
  { time: "2025-03-04T10:01:11.402913775Z", text: "loading data", from: 1 },
  { time: "2025-03-04T10:01:12.25Z", text: "epoch 1 loss 0.61", from: 1 },
  { time: "2025-03-04T10:01:13.5Z", text: "epoch 2 loss 0.42", from: 1 },
];

const stack: StackConfig = {
  name: "team",
  artifactStore: { flavor: "s3", config: { bucket: "acme-koan", endpoint: "http://minio.ml:9000" } },
  metadataStore: { flavor: "postgres", config: { url: "postgres://koan:{{secret:db-password}}@pg.ml:5432/koan" } },
  orchestrator: { flavor: "local", config: {} },
};

const train = step({
  name: "train",
  inputs: { data: t.json<number[]>() },
  outputs: { model: t.json<number>() },
  timeoutMs: 3_600_000,
  retries: 1,
  retryDelayMs: 1000,
  resources: { cpu: 0.5, memory: "30Gi", gpu: 2 },
  run: (_ctx, { data }) => ({ model: data.length }),
});
const load = step({ name: "load", outputs: { data: t.json<number[]>() }, run: () => ({ data: [1] }) });
const p = pipeline({ name: "k8s-demo", build: () => void train(load()) });
const job = () => stepJob({ runId: "r-m7u2k1a0-9f2c4e1ab3d0", pipeline: p.name, node: p.node("train") as NonNullable<ReturnType<typeof p.node>>, image: "us-central1-docker.pkg.dev/acme/koan/app:3f2a1c", stack, backendName: "big" });
const config = (over: Record<string, unknown> = {}) =>
  kubernetesBackendConfig.parse({
    namespace: NS,
    nodeSelector: { "cloud.google.com/gke-accelerator": "nvidia-tesla-t4" },
    tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    serviceAccountName: "koan-steps",
    imagePullSecrets: ["regcred"],
    problemGraceMs: 0,
    ...over,
  });

describe("kubernetes Job manifest", () => {
  const m = jobManifest(job(), config());

  it("is a batch/v1 Job the client's types know field for field", () => {
    const wire = ObjectSerializer.serialize(m, "V1Job", "");
    const back = ObjectSerializer.serialize(ObjectSerializer.deserialize(wire, "V1Job", ""), "V1Job", "");
    assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(m)), "no field is lost in a round trip through V1Job");
    assert.equal(m.apiVersion, "batch/v1");
    assert.equal(m.kind, "Job");
    assert.equal(m.metadata?.name, "koan-train-9f2c4e1ab3d0");
    assert.equal(m.metadata?.namespace, NS);
  });

  it("runs koan step-run once, with the step's resources, GPU limits, node selector, tolerations and deadline", () => {
    assert.equal(m.spec?.backoffLimit, 0);
    assert.equal(m.spec?.activeDeadlineSeconds, 7200 + 1 + 600);
    const pod = m.spec?.template.spec;
    assert.equal(pod?.restartPolicy, "Never");
    assert.equal(pod?.serviceAccountName, "koan-steps");
    assert.deepEqual(pod?.nodeSelector, { "cloud.google.com/gke-accelerator": "nvidia-tesla-t4" });
    assert.deepEqual(pod?.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    assert.deepEqual(pod?.imagePullSecrets, [{ name: "regcred" }]);
    const c = pod?.containers[0];
    assert.deepEqual(c?.command, ["koan", "step-run", "r-m7u2k1a0-9f2c4e1ab3d0", "train"]);
    assert.deepEqual(c?.resources, { requests: { cpu: "500m", memory: "30Gi" }, limits: { memory: "30Gi", "nvidia.com/gpu": "2" } });
  });

  it("references the stack's secrets from a Secret and never holds a value", () => {
    const env = m.spec?.template.spec?.containers[0]?.env ?? [];
    const secret = env.find((e) => e.name === "KOAN_SECRET_DB_PASSWORD");
    assert.deepEqual(secret?.valueFrom, { secretKeyRef: { name: "koan-secrets", key: "db-password" } });
    assert.equal(secret?.value, undefined);
    assert.ok(!JSON.stringify(m).includes("{{secret:"), "no reference text either");
  });

  it("its pod parts match the Kubernetes core/v1 schema", { skip: HAS_ARGO_SCHEMA ? false : "../shared/specs/argo is absent" }, () => {
    const pod = m.spec?.template.spec;
    assert.deepEqual(validateArgo("io.k8s.api.core.v1.Container", pod?.containers[0]), []);
    for (const tol of pod?.tolerations ?? []) assert.deepEqual(validateArgo("io.k8s.api.core.v1.Toleration", tol), []);
    assert.deepEqual(validateArgo("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", m.metadata), []);
  });

  it("writes CPU as a quantity", () => {
    assert.equal(cpuQuantity(2), "2");
    assert.equal(cpuQuantity(0.25), "250m");
    assert.equal(cpuQuantity("1500m"), "1500m");
  });
});

describe("kubernetes job states against recorded API responses", () => {
  let server: FakeServer;
  let kubeConfig: KubeConfig;
  /** The scenario: what each read returns, in order (the last step repeats); a pod is a fixture name or a pod. */
  let script: { job: string | null; pods: (string | V1Pod)[]; events: string[] }[] = [];
  /** What each pod's container writes, by pod name. */
  let podLogs: Record<string, PodLogLine[]> = {};
  let reads = 0;
  let deleted = false;
  const cur = () => script[Math.min(Math.max(reads - 1, 0), script.length - 1)] ?? { job: "active", pods: [], events: [] };
  const pods = (): V1Pod[] => cur().pods.map((n) => (typeof n === "string" ? (OBJ.pod[n] as V1Pod) : n));

  before(async () => {
    const jobPath = `/apis/batch/v1/namespaces/${NS}/jobs`;
    server = await fakeServer([
      (r) => (r.path.startsWith("/denied/") ? { status: 403, json: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403, message: 'pods is forbidden: User "dev@acme.com" cannot list resource "pods" in API group "" in the namespace "ml"' } } : undefined),
      (r) => (r.method === "POST" && r.path === jobPath ? { status: 201, json: { ...(r.body as object), metadata: { ...(r.body as { metadata: object }).metadata, uid: "6f0a3c55" } } } : undefined),
      (r) => {
        if (r.path !== `${jobPath}/${OBJ.names.job}`) return undefined;
        if (r.method === "DELETE") {
          deleted = true;
          return { json: { kind: "Status", apiVersion: "v1", status: "Success" } };
        }
        reads++;
        const name = cur().job;
        if (deleted || name === null) return { status: 404, json: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: `jobs.batch "${OBJ.names.job}" not found` } };
        return { json: OBJ.job[name] };
      },
      (r) => (r.method === "GET" && r.path === `/api/v1/namespaces/${NS}/pods` ? { json: { kind: "PodList", apiVersion: "v1", metadata: {}, items: pods() } } : undefined),
      (r) => {
        if (r.method !== "GET" || r.path !== `/api/v1/namespaces/${NS}/events`) return undefined;
        const about = (r.query.get("fieldSelector") ?? "").replace("involvedObject.name=", "");
        const items = cur().events.flatMap((e) => OBJ.events[e] ?? []).filter((e) => (e as { involvedObject: { name: string } }).involvedObject.name === about);
        return { json: { kind: "EventList", apiVersion: "v1", metadata: {}, items } };
      },
      podLogRoute(NS, () => ({ reads, logs: podLogs, restarts: (pod) => pods().find((p) => p.metadata?.name === pod)?.status?.containerStatuses?.[0]?.restartCount ?? 0 })),
    ]);
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: "fake", server: server.url, skipTLSVerify: true }],
      users: [{ name: "tester", token: "test-token" }],
      contexts: [{ name: "fake", cluster: "fake", user: "tester" }],
      currentContext: "fake",
    });
  });
  after(() => server.close());

  async function follow(steps: typeof script, options: { startTimeoutMs?: number; signal?: AbortSignal; grace?: number; logs?: typeof podLogs } = {}) {
    script = steps;
    podLogs = options.logs ?? { [OBJ.names.pod]: TRAIN_LOG };
    reads = 0;
    deleted = false;
    server.requests.length = 0;
    const b = createKubernetesBackend(config({ problemGraceMs: options.grace ?? 0 }), { kubeConfig });
    const handle = await b.submit(job());
    assert.equal(handle.id, `${NS}/${OBJ.names.job}`);
    const lines: string[] = [];
    const outcome = await followJob(b, handle, { step: "train", signal: options.signal ?? new AbortController().signal, pollMs: 5, startTimeoutMs: options.startTimeoutMs ?? 60_000, onLog: (l) => lines.push(l) });
    return { outcome, lines };
  }

  it("creates the Job through the API and maps a pod that runs and completes, relaying its log once", async () => {
    const { outcome, lines } = await follow([
      { job: "active", pods: ["running"], events: ["job-created"] },
      { job: "active", pods: ["running"], events: ["job-created"] },
      { job: "complete", pods: ["succeeded"], events: ["job-created"] },
    ]);
    assert.equal(outcome.kind, "succeeded");
    const post = server.requests.find((r) => r.method === "POST");
    assert.equal(post?.headers.authorization, "Bearer test-token");
    assert.equal((post?.body as V1Job).spec?.template.spec?.containers[0]?.image, "us-central1-docker.pkg.dev/acme/koan/app:3f2a1c");
    assert.deepEqual(lines, ["loading data", "epoch 1 loss 0.61", "epoch 2 loss 0.42"], "each line once");
  });

  /** A copy of a pod fixture as another pod (name, uid, creation time) or with its container restarted. */
  const podAs = (fixture: string, name: string, uid: string, created: string, restarts = 0): V1Pod => {
    const pod = structuredClone(OBJ.pod[fixture]) as { metadata: Record<string, unknown>; status: { containerStatuses?: { restartCount: number }[] } };
    Object.assign(pod.metadata, { name, uid, creationTimestamp: created });
    for (const cs of pod.status.containerStatuses ?? []) cs.restartCount = restarts;
    return pod as unknown as V1Pod;
  };
  const logCalls = () => server.requests.filter((r) => r.path.endsWith("/log"));

  it("reads the pod's log from the last time read on (sinceTime), each line once, the lines after the last poll included", async () => {
    const line = (time: string, text: string, from: number): PodLogLine => ({ time: `2025-03-04T10:01:${time}Z`, text, from });
    const { outcome, lines } = await follow(
      [
        { job: "active", pods: ["running"], events: [] },
        { job: "active", pods: ["running"], events: [] },
        { job: "active", pods: ["running"], events: [] },
        { job: "complete", pods: ["succeeded"], events: [] },
      ],
      {
        logs: {
          [OBJ.names.pod]: [
            line("11.402913775", "loading data", 1),
            line("12.25", "epoch 1 loss 0.61", 1),
            line("12.75", "epoch 1 val_loss 0.66", 2),
            line("14", "waiting for data", 2),
            line("15.5", "waiting for data", 3),
            line("16.125", "epoch 2 loss 0.42", 3),
            line("20.5", "saving model", 4),
          ],
        },
      },
    );
    assert.equal(outcome.kind, "succeeded");
    assert.deepEqual(lines, ["loading data", "epoch 1 loss 0.61", "epoch 1 val_loss 0.66", "waiting for data", "waiting for data", "epoch 2 loss 0.42", "saving model"]);
    const calls = logCalls();
    assert.ok(calls.every((c) => c.query.get("timestamps") === "true" && c.query.get("container") === "step" && c.headers.authorization === "Bearer test-token"));
    assert.deepEqual(
      calls.map((c) => c.query.get("sinceTime")),
      [null, "2025-03-04T10:01:12Z", "2025-03-04T10:01:14Z", "2025-03-04T10:01:16Z"],
      "the first read from the start, later ones from the newest line's second",
    );
  });

  it("reads a replacement pod from its beginning, after the first pod's lines", async () => {
    const replacement = `${OBJ.names.job}-9bq4t`;
    const { outcome, lines } = await follow(
      [
        { job: "active", pods: ["running"], events: [] },
        { job: "active", pods: ["running"], events: [] },
        { job: "active", pods: [podAs("running", replacement, "b2d4f6a8", "2025-03-04T10:04:30Z")], events: [] },
        { job: "complete", pods: [podAs("succeeded", replacement, "b2d4f6a8", "2025-03-04T10:04:30Z")], events: [] },
      ],
      {
        logs: {
          [OBJ.names.pod]: [
            { time: "2025-03-04T10:01:11.4Z", text: "loading data", from: 1 },
            { time: "2025-03-04T10:01:12.25Z", text: "epoch 1 loss 0.61", from: 2 },
          ],
          [replacement]: [
            { time: "2025-03-04T10:05:01.1Z", text: "loading data", from: 3 },
            { time: "2025-03-04T10:05:02.2Z", text: "epoch 1 loss 0.60", from: 3 },
            { time: "2025-03-04T10:05:09.9Z", text: "epoch 2 loss 0.41", from: 4 },
          ],
        },
      },
    );
    assert.equal(outcome.kind, "succeeded");
    assert.deepEqual(lines, ["loading data", "epoch 1 loss 0.61", "loading data", "epoch 1 loss 0.60", "epoch 2 loss 0.41"]);
    const first = logCalls().find((c) => c.path.endsWith(`/pods/${replacement}/log`));
    assert.equal(first?.query.get("sinceTime"), null, "the new pod's log from its start");
  });

  it("reads the rest of a restarted container's previous log before the new one's", async () => {
    const { lines } = await follow(
      [
        { job: "active", pods: ["running"], events: [] },
        { job: "active", pods: [podAs("running", OBJ.names.pod, "0c9d1a7e-5b7f-4a4d-8f65-3f4b2d0e6a21", "2025-03-04T10:00:01Z", 1)], events: [] },
        { job: "complete", pods: [podAs("succeeded", OBJ.names.pod, "0c9d1a7e-5b7f-4a4d-8f65-3f4b2d0e6a21", "2025-03-04T10:00:01Z", 1)], events: [] },
      ],
      {
        logs: {
          [OBJ.names.pod]: [
            { time: "2025-03-04T10:01:11.4Z", text: "loading data", from: 1 },
            { time: "2025-03-04T10:01:12.25Z", text: "out of memory, exiting", from: 2 },
            { time: "2025-03-04T10:01:30.5Z", text: "loading data", from: 2, instance: 1 },
            { time: "2025-03-04T10:01:31Z", text: "epoch 1 loss 0.61", from: 3, instance: 1 },
          ],
        },
      },
    );
    assert.deepEqual(lines, ["loading data", "out of memory, exiting", "loading data", "epoch 1 loss 0.61"]);
    assert.ok(logCalls().some((c) => c.query.get("previous") === "true" && c.query.get("sinceTime") === "2025-03-04T10:01:11Z"));
  });

  it("maps a failed pod to a step failure with its exit code and message", async () => {
    const { outcome } = await follow([{ job: "failed", pods: ["failed-exit"], events: [] }]);
    assert.equal(outcome.kind, "failed");
    if (outcome.kind !== "failed") return;
    assert.equal(outcome.reason, "error");
    assert.match(outcome.error.message, /BackoffLimitExceeded.*exited with code 1 \(Error\): step "train" of pipeline "k8s-demo" failed: loss is NaN/);
    assert.ok(!server.requests.some((r) => r.method === "DELETE"), "a finished Job is left for its logs (ttlSecondsAfterFinished removes it)");
  });

  it("maps an OOM kill", async () => {
    const { outcome } = await follow([{ job: "failed", pods: ["oom"], events: [] }]);
    assert.equal(outcome.kind === "failed" && /code 137 \(OOMKilled\)/.test(outcome.error.message), true);
  });

  it("maps a deadline to STEP_TIMEOUT", async () => {
    const { outcome } = await follow([{ job: "deadline", pods: ["running"], events: [] }]);
    assert.equal(outcome.kind, "failed");
    if (outcome.kind === "failed") {
      assert.equal(outcome.reason, "deadline");
      assert.equal(outcome.error.code, "STEP_TIMEOUT");
    }
  });

  it("fails an image that cannot be pulled once the grace has passed, and removes the stuck Job", async () => {
    const { outcome } = await follow([{ job: "active", pods: ["image-pull"], events: ["image-pull"] }]);
    assert.equal(outcome.kind, "failed");
    if (outcome.kind !== "failed") return;
    assert.equal(outcome.reason, "image-pull");
    assert.ok(server.requests.some((r) => r.method === "DELETE"), "the stuck Job is deleted");
    assert.match(outcome.error.message, /ImagePullBackOff: Back-off pulling image/);
    assert.match(outcome.error.hint ?? "", /push/);
  });

  it("waits out the grace for a pull error that clears", async () => {
    const { outcome } = await follow(
      [
        { job: "active", pods: ["image-pull"], events: ["image-pull"] },
        { job: "active", pods: ["running"], events: [] },
        { job: "complete", pods: ["succeeded"], events: [] },
      ],
      { grace: 60_000 },
    );
    assert.equal(outcome.kind, "succeeded");
  });

  it("fails an invalid image name at once, even within the grace", async () => {
    const { outcome } = await follow([{ job: "active", pods: ["invalid-image"], events: [] }], { grace: 60_000 });
    assert.equal(outcome.kind === "failed" && outcome.reason === "image-pull" && /InvalidImageName/.test(outcome.error.message), true);
  });

  it("maps a quota refusal of the pod", async () => {
    const { outcome } = await follow([{ job: "active", pods: [], events: ["quota"] }]);
    assert.equal(outcome.kind, "failed");
    if (outcome.kind !== "failed") return;
    assert.equal(outcome.reason, "quota");
    assert.match(outcome.error.message, /exceeded quota: gpu-quota/);
  });

  it("maps a missing Secret to a config failure naming it", async () => {
    const { outcome } = await follow([{ job: "active", pods: ["secret-missing"], events: [] }]);
    assert.equal(outcome.kind === "failed" && outcome.reason === "config" && /secret "koan-secrets" not found/.test(outcome.error.message), true);
  });

  it("times out a pod that is never scheduled, naming the last event, and deletes the Job", async () => {
    const { outcome } = await follow([{ job: "active", pods: ["unschedulable"], events: ["job-created", "unschedulable"] }], { startTimeoutMs: 30 });
    assert.equal(outcome.kind, "never-started");
    if (outcome.kind !== "never-started") return;
    assert.equal(outcome.error.code, "STEP_TIMEOUT");
    assert.match(outcome.error.message, /last event: FailedScheduling: 0\/3 nodes are available: 3 Insufficient nvidia.com\/gpu/);
    assert.ok(server.requests.some((r) => r.method === "DELETE"), "the Job is deleted");
  });

  it("deletes the Job when the run is cancelled, and reads the deletion as cancelled", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 40);
    const { outcome } = await follow([{ job: "active", pods: ["running"], events: [] }], { signal: controller.signal });
    assert.equal(outcome.kind, "cancelled");
    const del = server.requests.find((r) => r.method === "DELETE");
    assert.ok(del, "DELETE sent");
    assert.equal(del?.query.get("propagationPolicy") ?? (del?.body as { propagationPolicy?: string } | undefined)?.propagationPolicy, "Background");
  });

  it("reports a Job deleted by someone else as a failure", async () => {
    const { outcome } = await follow([{ job: "active", pods: ["running"], events: [] }, { job: null, pods: [], events: [] }]);
    assert.equal(outcome.kind === "failed" && /disappeared/.test(outcome.error.message), true);
  });

  it("checks credentials and permissions with one authenticated call", async () => {
    server.requests.length = 0;
    await createKubernetesBackend(config(), { kubeConfig }).check();
    const probe = server.requests.find((r) => r.path === `/api/v1/namespaces/${NS}/pods`);
    assert.equal(probe?.headers.authorization, "Bearer test-token");
    const denied = new KubeConfig();
    denied.loadFromOptions({ clusters: [{ name: "f", server: `${server.url}/denied`, skipTLSVerify: true }], users: [{ name: "u", token: "x" }], contexts: [{ name: "f", cluster: "f", user: "u" }], currentContext: "f" });
    await assert.rejects(createKubernetesBackend(config(), { kubeConfig: denied }).check(), (e: unknown) => e instanceof KoanError && /HTTP 403/.test(e.message) && /permission/.test(e.hint ?? ""));
  });

  it("refuses when no cluster is configured", async () => {
    const saved = { ...process.env };
    process.env.KUBECONFIG = join(REPO, "test", "backends", "fixtures", "no-such-kubeconfig");
    delete process.env.KUBERNETES_SERVICE_HOST;
    process.env.HOME = join(REPO, "test", "backends", "fixtures");
    try {
      await assert.rejects(createKubernetesBackend(config()).check(), (e: unknown) => e instanceof KoanError && e.code === "CONFIG_INVALID" && /no Kubernetes cluster/.test(e.message));
    } finally {
      process.env = saved;
    }
  });
});
