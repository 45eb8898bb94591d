import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { parse } from "yaml";
import type { Koan, RunResult } from "../../src/index.js";
import { deploy, deploymentsWithStatus, undeploy } from "../../src/serving/deploy/deploy.js";
import { listDeployments } from "../../src/serving/deploy/records.js";
import { kserveManifest } from "../../src/serving/deploy/kserve.js";
import { seldonManifest } from "../../src/serving/deploy/seldon.js";
import { applyManifest, deleteManifest } from "../../src/serving/deploy/kubernetes.js";
import { createVertexDeployer, type VertexRequest } from "../../src/serving/deploy/vertex.js";
import { dockerAvailable } from "../../src/serving/deploy/docker.js";
import type { BundleRef } from "../../src/serving/deploy/types.js";
import { koan as koanCli, tempDir } from "../helpers.js";
import { CRDS, crdSchema, validate } from "./crd.js";
import { modelProject } from "./project.js";

const skipCrds = existsSync(CRDS) ? false : "the shared CRD schemas are absent";
const bundle = (uri: string | null): BundleRef => ({ ref: "a-1", artifactId: "a-1", uri, exportTo: async () => undefined });

describe("manifests validate against the CRD schemas", { skip: skipCrds }, () => {
  const kserve = () => crdSchema("kserve_serving.kserve.io_inferenceservices.yaml", "v1beta1");
  const seldon = () => crdSchema("seldon_machinelearning.seldon.io_seldondeployments.yaml", "v1");

  test("the validator accepts the real KServe and Seldon examples and rejects a broken one", () => {
    const fixtures = join(CRDS, "..", "..", "fixtures", "manifests");
    for (const f of ["sklearn_v2_inferenceservice.yaml", "tensorflow_inferenceservice.yaml"]) assert.deepEqual(validate(kserve(), parse(readFileSync(join(fixtures, "kserve", f), "utf8"))), [], f);
    for (const f of ["fixed_v1.yaml", "iris-sklearn-v2.yaml"]) assert.deepEqual(validate(seldon(), parse(readFileSync(join(fixtures, "seldon", f), "utf8"))), [], f);
    const broken = { apiVersion: "serving.kserve.io/v1beta1", kind: "InferenceService", metadata: { name: "x" }, spec: { predictor: { containers: [{ image: 3 }], minReplica: 1 } } };
    const errors = validate(kserve(), broken);
    assert.ok(errors.some((e) => /containers\/0 must have required property 'name'/.test(e)), errors.join("; "));
    assert.ok(errors.some((e) => /minReplica is not in the schema/.test(e)), errors.join("; "));
  });

  for (const uri of [null, "gs://models/penguins/bundle"]) {
    test(`InferenceService (custom predictor, V2) ${uri ? "with a storage URI" : "with the bundle in the image"}`, () => {
      const m = kserveManifest({ id: "d-1", name: "penguins", version: "abc", bundle: bundle(uri) }, { namespace: "ml", minReplicas: 1, maxReplicas: 3, apply: false });
      assert.deepEqual(validate(kserve(), m), []);
      const predictor = m.spec.predictor as { containers: { image: string; ports: { containerPort: number }[]; env: { name: string; value: string }[] }[]; storageUris?: { uri: string }[] };
      assert.equal(predictor.containers[0]?.image, "koan-penguins:abc");
      assert.equal(predictor.containers[0]?.ports[0]?.containerPort, 8080);
      assert.equal(predictor.containers[0]?.env.find((e) => e.name === "KOAN_BUNDLE")?.value, uri ? "/mnt/models" : "/opt/koan/bundle");
      assert.deepEqual(predictor.storageUris, uri ? [{ uri, mountPath: "/mnt/models" }] : undefined);
    });
    test(`SeldonDeployment (protocol v2) ${uri ? "with a model URI" : "with the bundle in the image"}`, () => {
      const m = seldonManifest({ id: "d-1", name: "Penguins Model", version: "abc", bundle: bundle(uri) }, { namespace: "ml", replicas: 2, apply: false, image: "reg/koan:1" });
      assert.deepEqual(validate(seldon(), m), []);
      assert.equal(m.metadata.name, "penguins-model");
      assert.equal(m.spec.protocol, "v2");
      const p = (m.spec.predictors as { graph: { name: string; type: string; modelUri?: string }; componentSpecs: { spec: { containers: { name: string; image: string }[] } }[] }[])[0];
      assert.equal(p?.graph.type, "MODEL");
      assert.equal(p?.graph.name, p?.componentSpecs[0]?.spec.containers[0]?.name);
      assert.equal(p?.componentSpecs[0]?.spec.containers[0]?.image, "reg/koan:1");
      assert.equal(p?.graph.modelUri, uri ?? undefined);
    });
  }
});

describe("deploying a model of a run", () => {
  let project: { dir: string; koan: Koan; run: RunResult; cleanup: () => Promise<void> };
  let unblessed: { dir: string; koan: Koan; run: RunResult; cleanup: () => Promise<void> };
  before(async () => {
    project = await modelProject(0.5);
    unblessed = await modelProject(1.5);
  });
  after(async () => {
    await project.cleanup();
    await unblessed.cleanup();
  });

  test("an unblessed model is refused unless forced; the evaluation artifact is named", async () => {
    const ref = `${unblessed.run.runId}/train/bundle`;
    await assert.rejects(deploy(unblessed.koan, { ref, target: "kserve" }), (e: Error) => /is not blessed: .*\/train\/evaluation says "blessed": false/.test(e.message));
    assert.equal((await listDeployments(unblessed.koan)).length, 0, "a refused deployment records nothing");
    const { record, blessing } = await deploy(unblessed.koan, { ref, target: "kserve", force: true });
    assert.equal(blessing.blessed, false);
    assert.ok(record);
  });

  test("an evaluator that read the model later decides (Evaluation-shaped blessing.blessed)", async () => {
    const { pipeline, rowsSource, step, types } = await import("../../src/index.js");
    const { rawRows, train } = await import("./project.js");
    const judge = step({
      name: "judge",
      inputs: { model: types.dir() },
      outputs: { evaluation: types.json<{ blessing: { blessed: boolean; reasons: string[] } }>() },
      run: () => ({ evaluation: { blessing: { blessed: false, reasons: ["accuracy below 0.99"] } } }),
    });
    const p = pipeline({
      name: "judged",
      build: () => {
        const { dataset } = rowsSource(undefined, { params: { rows: rawRows(), columns: { body_mass_g: "int64" } } });
        judge({ model: train({ data: dataset }).bundle });
      },
    });
    const own = await modelProject(0.5);
    try {
      const r = await own.koan.run(p, { params: { train: { threshold: 0.5 } } });
      assert.equal(r.status, "succeeded", r.error?.message);
      const bundleId = own.run.outputs.train?.bundle?.id as string;
      assert.equal(r.outputs.train?.bundle?.id, bundleId, "the cached training step reuses the bundle artifact");
      const { blessingOf } = await import("../../src/serving/deploy/blessing.js");
      const b = await blessingOf(own.koan, own.run.outputs.train?.bundle as never);
      assert.deepEqual(b, { blessed: false, source: `${r.runId}/judge/evaluation` });
      await assert.rejects(deploy(own.koan, { ref: bundleId, target: "kserve", dryRun: true }), /is not blessed/);
    } finally {
      await own.cleanup();
    }
  });

  test("kserve: the manifest is written and the deployment is a lineage node between the model and nothing else", async () => {
    const bundleArtifact = project.run.outputs.train?.bundle;
    assert.ok(bundleArtifact);
    const logs: string[] = [];
    const { record, result, blessing } = await deploy(project.koan, { ref: project.run.runId, target: "kserve", name: "penguins", config: { namespace: "ml" }, log: (l) => logs.push(l) });
    assert.equal(blessing.blessed, true);
    assert.ok(record);
    assert.equal(record.model, bundleArtifact.id, "a run id resolves to its bundle output");
    const file = String(record.state.file);
    const manifest = parse(await readFile(file, "utf8")) as { kind: string; metadata: { namespace: string; labels: Record<string, string> } };
    assert.equal(manifest.kind, "InferenceService");
    assert.equal(manifest.metadata.namespace, "ml");
    assert.equal(manifest.metadata.labels["koan.dev/deployment"], record.id);
    assert.ok(logs.some((l) => l.includes("kubectl apply -f")));
    assert.equal(result.output?.includes("kind: InferenceService"), true);
    // Lineage: down from the model reaches the deployment; up from the deployment reaches the raw rows.
    const down = await project.koan.lineage(bundleArtifact.id, "down");
    assert.ok(down.nodes.some((n) => n.kind === "step" && n.step === "deploy" && n.runId === record.runId));
    assert.ok(down.nodes.some((n) => n.kind === "artifact" && n.id === record.artifactId));
    const up = await project.koan.lineage(record.artifactId, "up");
    const steps = up.nodes.filter((n) => n.kind === "step").map((n) => (n as { step: string }).step);
    assert.deepEqual(steps.sort(), ["deploy", "rows_source", "train"]);
    const live = await deploymentsWithStatus(project.koan);
    const mine = live.find((d) => d.id === record.id);
    assert.equal(mine?.status.state, "written");
    await undeploy(project.koan, record.id.slice(0, 16));
    assert.equal((await listDeployments(project.koan)).some((d) => d.id === record.id), false);
    assert.equal((await listDeployments(project.koan, { all: true })).find((d) => d.id === record.id)?.undeployedAt !== null, true);
  });

  test("docker: a build context with a Dockerfile on a Node image, the entry point and the bundle", async () => {
    const { record, result } = await deploy(project.koan, { ref: `${project.run.runId}/train/bundle`, target: "docker", name: "penguins", config: { build: "never" } });
    assert.ok(record);
    const dir = String(record.state.dir);
    assert.deepEqual((await readdir(dir)).sort(), [".dockerignore", "Dockerfile", "bundle", "package.json", "server.mjs"]);
    const dockerfile = await readFile(join(dir, "Dockerfile"), "utf8");
    assert.match(dockerfile, /^FROM node:20-slim$/m);
    assert.match(dockerfile, /^COPY bundle \/opt\/koan\/bundle$/m);
    assert.match(dockerfile, /^CMD \["node", "server.mjs"\]$/m);
    assert.match(await readFile(join(dir, "server.mjs"), "utf8"), /serveUntilSignal\(model/);
    assert.deepEqual(JSON.parse(await readFile(join(dir, "package.json"), "utf8")).dependencies, { koan: "0.1.0" });
    assert.ok(existsSync(join(dir, "bundle", "weights.json")), "the bundle's files are in the context");
    assert.equal(record.state.built, false);
    assert.match(result.output ?? "", /docker push/);
    await assert.rejects(deploy(project.koan, { ref: `${project.run.runId}/train/bundle`, target: "docker", config: { out: dir } }), /is not empty/);
  });

  test("docker: builds the image where a Docker daemon answers", async (t) => {
    if (!(await dockerAvailable())) return t.skip("no Docker daemon here");
    const { record } = await deploy(project.koan, { ref: `${project.run.runId}/train/bundle`, target: "docker", name: "penguins-built", config: { build: "always", koanPackage: "is-number@7.0.0" } });
    assert.equal(record?.state.built, true);
  });

  test("a dry run records nothing; unknown targets and bad config are refused", async () => {
    const before = (await listDeployments(project.koan)).length;
    const { record, result } = await deploy(project.koan, { ref: `${project.run.runId}/train/bundle`, target: "seldon", dryRun: true });
    assert.equal(record, undefined);
    assert.match(result.output ?? "", /kind: SeldonDeployment/);
    assert.equal((await listDeployments(project.koan)).length, before);
    await assert.rejects(deploy(project.koan, { ref: `${project.run.runId}/train/bundle`, target: "heroku" }), /unknown deployer flavor "heroku"/);
    await assert.rejects(deploy(project.koan, { ref: `${project.run.runId}/train/bundle`, target: "kserve", config: { minReplicas: "many" } }), /deployer "kserve": minReplicas/);
  });

  test("local: a background server process, recorded with pid and port, healthy, then stopped by undeploy", async () => {
    const script = new URL("./fixtures/serve-penguins.js", import.meta.url).pathname;
    const { record } = await deploy(project.koan, { ref: `${project.run.runId}/train/bundle`, target: "local", name: "penguins", config: { command: [process.execPath, script, "--port", "{port}", "--ready-file", "{readyFile}"] } });
    assert.ok(record);
    const pid = record.state.pid as number;
    try {
      assert.equal(typeof record.state.port, "number");
      assert.equal(record.endpoint, `http://127.0.0.1:${record.state.port}`);
      const ready = await fetch(`${record.endpoint}/v2/models/penguins/ready`);
      assert.equal(ready.status, 200);
      const cli = await koanCli(["deployments", "--json"], project.dir);
      assert.equal(cli.code, 0, cli.stderr);
      const listed = (JSON.parse(cli.stdout) as { id: string; status: { state: string; healthy: boolean } }[]).find((d) => d.id === record.id);
      assert.deepEqual(listed?.status.state, "running");
      assert.equal(listed?.status.healthy, true);
      const text = await koanCli(["deployments"], project.dir);
      assert.match(text.stdout, new RegExp(`${record.id}\\s+local\\s+penguins:`));
      const down = await koanCli(["undeploy", record.id], project.dir);
      assert.equal(down.code, 0, down.stderr);
      assert.match(down.stdout, new RegExp(`stopped process ${pid}`));
      assert.throws(() => process.kill(pid, 0), "the server process is gone");
      assert.equal((await listDeployments(project.koan)).some((d) => d.id === record.id), false);
    } finally {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  });
});

describe("--apply with @kubernetes/client-node against an API server", () => {
  let api: Server;
  let url = "";
  const seen: { method: string; path: string; body: unknown }[] = [];
  const stored = new Map<string, Record<string, unknown>>();
  let dir: { dir: string; cleanup: () => Promise<void> };
  const saved = { KUBECONFIG: process.env.KUBECONFIG };

  before(async () => {
    api = createServer((req, res) => {
      let text = "";
      req.on("data", (d: Buffer) => (text += d.toString()));
      req.on("end", () => {
        const path = (req.url ?? "").split("?")[0] as string;
        seen.push({ method: req.method ?? "", path, body: text ? JSON.parse(text) : undefined });
        const json = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        if (path === "/apis/serving.kserve.io/v1beta1") return json(200, { kind: "APIResourceList", groupVersion: "serving.kserve.io/v1beta1", resources: [{ name: "inferenceservices", singularName: "inferenceservice", namespaced: true, kind: "InferenceService", verbs: ["create", "get", "update", "delete"] }] });
        const m = /^\/apis\/serving\.kserve\.io\/v1beta1\/namespaces\/([^/]+)\/inferenceservices(?:\/([^/]+))?$/.exec(path);
        if (!m) return json(404, { kind: "Status", code: 404, message: "no route" });
        const key = `${m[1]}/${m[2] ?? ""}`;
        if (req.method === "GET") return stored.has(key) ? json(200, stored.get(key)) : json(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: "not found" });
        if (req.method === "POST") {
          const body = JSON.parse(text) as { metadata: { name: string; resourceVersion?: string } };
          body.metadata.resourceVersion = "7";
          stored.set(`${m[1]}/${body.metadata.name}`, body);
          return json(201, body);
        }
        if (req.method === "PUT") return json(200, JSON.parse(text));
        if (req.method === "DELETE") {
          if (!stored.delete(key)) return json(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: "not found" });
          return json(200, { kind: "Status", status: "Success" });
        }
        return json(405, {});
      });
    });
    await new Promise<void>((r) => api.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
    dir = await tempDir();
    const kubeconfig = join(dir.dir, "kubeconfig");
    await writeFile(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: not-a-secret\ncontexts:\n- name: c\n  context:\n    cluster: fake\n    user: u\n    namespace: ml\ncurrent-context: c\n`);
    process.env.KUBECONFIG = kubeconfig;
  });
  after(async () => {
    if (saved.KUBECONFIG === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved.KUBECONFIG;
    await new Promise((r) => api.close(r));
    await dir.cleanup();
  });

  test("create, then replace with the stored resourceVersion, then delete", async () => {
    const m = kserveManifest({ id: "d-9", name: "penguins", version: "1", bundle: bundle("gs://b/p") }, { namespace: "ml", minReplicas: 1, maxReplicas: 1, apply: true });
    assert.equal(await applyManifest(structuredClone(m)), "created");
    const post = seen.find((s) => s.method === "POST");
    assert.equal(post?.path, "/apis/serving.kserve.io/v1beta1/namespaces/ml/inferenceservices");
    assert.deepEqual((post?.body as { spec: unknown }).spec, m.spec);
    assert.equal(await applyManifest(structuredClone(m)), "replaced");
    const put = seen.find((s) => s.method === "PUT");
    assert.equal(put?.path, "/apis/serving.kserve.io/v1beta1/namespaces/ml/inferenceservices/penguins");
    assert.equal((put?.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, "7");
    assert.equal(await deleteManifest(m), "deleted");
    assert.equal(await deleteManifest(m), "absent");
  });

  test("without a configured cluster, --apply fails saying so", async () => {
    process.env.KUBECONFIG = join(dir.dir, "missing");
    try {
      const m = kserveManifest({ id: "d-9", name: "penguins", version: "1", bundle: bundle(null) }, { namespace: "ml", minReplicas: 1, maxReplicas: 1, apply: true });
      await assert.rejects(applyManifest(m), /no Kubernetes cluster is configured/);
    } finally {
      process.env.KUBECONFIG = join(dir.dir, "kubeconfig");
    }
  });
});

describe("vertex", () => {
  const config = { project: "proj", region: "europe-west4", machineType: "n1-standard-4", minReplicas: 1, maxReplicas: 2, image: "europe-west4-docker.pkg.dev/proj/koan/penguins:1" };
  const ctx = (dryRun: boolean) => ({ id: "d-7", name: "penguins", version: "1", bundle: bundle(null), projectDir: "/tmp", dryRun, log: () => undefined });

  test("--dry-run prints the Model upload (container with the AIP routes) and deployModel bodies", async () => {
    const { output, state } = await createVertexDeployer(config).deploy(ctx(true));
    const [upload, create, deployModel] = state.requests as unknown as VertexRequest[];
    assert.equal(upload?.url, "https://europe-west4-aiplatform.googleapis.com/v1/projects/proj/locations/europe-west4/models:upload");
    const spec = (upload?.body?.model as { containerSpec: Record<string, unknown> }).containerSpec;
    assert.deepEqual(spec, {
      imageUri: config.image,
      env: [{ name: "KOAN_BUNDLE", value: "/opt/koan/bundle" }, { name: "KOAN_GRPC_PORT", value: "0" }],
      ports: [{ containerPort: 8080 }],
      predictRoute: "/predict",
      healthRoute: "/health",
    });
    assert.equal(create?.url, "https://europe-west4-aiplatform.googleapis.com/v1/projects/proj/locations/europe-west4/endpoints");
    assert.equal(deployModel?.url, "https://europe-west4-aiplatform.googleapis.com/v1/projects/proj/locations/europe-west4/endpoints/{endpoint}:deployModel");
    assert.deepEqual(deployModel?.body, {
      deployedModel: { model: "projects/proj/locations/europe-west4/models/{model}", displayName: "penguins", dedicatedResources: { machineSpec: { machineType: "n1-standard-4" }, minReplicaCount: 1, maxReplicaCount: 2 } },
      trafficSplit: { "0": 100 },
    });
    assert.match(output ?? "", /POST https:\/\/europe-west4-aiplatform/);
  });

  test("with credentials it uploads, creates an endpoint, deploys (awaiting operations) and undeploys", async () => {
    const calls: VertexRequest[] = [];
    let polls = 0;
    const transport = async (req: VertexRequest) => {
      calls.push(req);
      const ok = (json: Record<string, unknown>) => ({ status: 200, json });
      if (req.url.endsWith("models:upload")) return ok({ name: "projects/proj/locations/europe-west4/operations/1", done: false });
      if (req.url.endsWith("/operations/1")) return ok(++polls < 2 ? { name: "projects/proj/locations/europe-west4/operations/1", done: false } : { done: true, response: { model: "projects/proj/locations/europe-west4/models/55" } });
      if (req.url.endsWith("/endpoints")) return ok({ done: true, response: { name: "projects/proj/locations/europe-west4/endpoints/99" } });
      if (req.url.endsWith(":deployModel")) return ok({ done: true, response: { deployedModel: { id: "777" } } });
      if (req.url.endsWith(":undeployModel")) return ok({ done: true, response: {} });
      if (req.method === "GET" && req.url.endsWith("/endpoints/99")) return ok({ deployedModels: [{ id: "777" }] });
      return { status: 404, json: { error: { message: "unexpected" } } };
    };
    const d = createVertexDeployer(config, transport, 1);
    const result = await d.deploy(ctx(false));
    assert.deepEqual(result.state, { model: "projects/proj/locations/europe-west4/models/55", endpoint: "projects/proj/locations/europe-west4/endpoints/99", deployedModelId: "777", region: "europe-west4", project: "proj" });
    assert.equal((calls.find((c) => c.url.endsWith(":deployModel"))?.body?.deployedModel as { model: string }).model, "projects/proj/locations/europe-west4/models/55");
    const record = { id: "d-7", target: "vertex", name: "penguins", version: "1", model: null, endpoint: result.endpoint, state: result.state, config: {}, createdAt: "", runId: "", artifactId: "" };
    assert.deepEqual(await d.status(record), { state: "deployed", healthy: true, detail: "projects/proj/locations/europe-west4/endpoints/99" });
    await d.undeploy(record, () => undefined);
    assert.deepEqual(calls.at(-1)?.body, { deployedModelId: "777" });
    await assert.rejects(createVertexDeployer({ ...config, project: undefined }).deploy(ctx(true)).then(() => (process.env.GOOGLE_CLOUD_PROJECT ? Promise.reject(new Error("needs a Google Cloud project")) : undefined)), /needs a Google Cloud project/);
  });
});
