/**
 * The CLI of step backends: `koan stack register --step-backend` (parsed, validated before anything is written,
 * shown by list and describe) and `koan build` (the image's build context, its exclusions, and the record runs
 * use; a changed project no longer matches it).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { KoanError } from "../../src/core/errors.js";
import { parseStepBackendArg, parseOrchestratorArg } from "../../src/backends/spec.js";
import { readBuildRecord, stepImage } from "../../src/backends/image.js";
import { copyable } from "../../src/backends/build/context.js";
import { koan as cli, tempProject } from "../helpers.js";

describe("koan stack register --step-backend", () => {
  let proj: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    proj = await tempProject();
    assert.equal((await cli(["init"], proj.dir)).code, 0);
  });
  after(() => proj.cleanup());
  const config = async () => parseYaml(await readFile(join(proj.dir, ".koan", "config.yaml"), "utf8")) as { stacks: Record<string, { stepBackends?: Record<string, { flavor: string; config: Record<string, unknown> }>; orchestrator: { flavor: string; config: Record<string, unknown> } }> };

  it("registers named backends from flavor?key=value arguments, with map fields and files", async () => {
    await proj.write("big.yaml", "flavor: kubernetes\nconfig:\n  namespace: ml\n  tolerations:\n    - { key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }\n");
    const r = await cli(
      [
        "stack", "register", "team", "--artifact-store", "art", "--metadata-store", "meta.db",
        "--step-backend", "gpu=vertex?region=europe-west4&machineType=n1-standard-8&acceleratorType=NVIDIA_TESLA_T4&acceleratorCount=1",
        "--step-backend", "k8s=kubernetes?namespace=ml&nodeSelector.cloud.google.com/gke-accelerator=nvidia-tesla-t4",
        "--step-backend", "big=@big.yaml",
        "--orchestrator", "kubernetes?namespace=ml&image=registry.example.com/acme/app:v1",
      ],
      proj.dir,
    );
    assert.equal(r.code, 0, r.stderr);
    const team = (await config()).stacks.team;
    assert.deepEqual(team?.stepBackends?.gpu, { flavor: "vertex", config: { region: "europe-west4", machineType: "n1-standard-8", acceleratorType: "NVIDIA_TESLA_T4", acceleratorCount: "1" } });
    assert.deepEqual(team?.stepBackends?.k8s?.config, { namespace: "ml", nodeSelector: { "cloud.google.com/gke-accelerator": "nvidia-tesla-t4" } });
    assert.deepEqual(team?.stepBackends?.big?.config.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    assert.deepEqual(team?.orchestrator, { flavor: "kubernetes", config: { namespace: "ml", image: "registry.example.com/acme/app:v1" } });
    const list = await cli(["stack", "list", "--json"], proj.dir);
    assert.deepEqual(JSON.parse(list.stdout).find((s: { name: string }) => s.name === "team")?.stepBackends ?? JSON.parse(list.stdout).stacks?.find((s: { name: string }) => s.name === "team")?.stepBackends, { gpu: "vertex", k8s: "kubernetes", big: "kubernetes" });
  });

  it("refuses a bad config, a reserved name and secrets, writing nothing", async () => {
    const before = await readFile(join(proj.dir, ".koan", "config.yaml"), "utf8");
    const bad = await cli(["stack", "register", "x1", "--artifact-store", "a", "--metadata-store", "m.db", "--step-backend", "gpu=vertex?acceleratorCount=lots"], proj.dir);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /step backend "gpu".*acceleratorCount/);
    const unknown = await cli(["stack", "register", "x2", "--artifact-store", "a", "--metadata-store", "m.db", "--step-backend", "gpu=slurm"], proj.dir);
    assert.match(unknown.stderr, /unknown step-backend flavor "slurm"/);
    const reserved = await cli(["stack", "register", "x3", "--artifact-store", "a", "--metadata-store", "m.db", "--step-backend", "local=vertex"], proj.dir);
    assert.match(reserved.stderr, /"local" must have the local flavor/);
    const secret = await cli(["stack", "register", "x4", "--artifact-store", "a", "--metadata-store", "m.db", "--step-backend", "gpu=vertex?project={{secret:gcp}}"], proj.dir);
    assert.match(secret.stderr, /references secrets \(gcp\)/);
    assert.equal(await readFile(join(proj.dir, ".koan", "config.yaml"), "utf8"), before);
  });

  it("describe says a remote backend cannot reach stores on this machine", async () => {
    const r = await cli(["stack", "describe", "team", "--json"], proj.dir);
    const report = JSON.parse(r.stdout) as { ok: boolean; components: { role: string; name?: string; status: string; error?: { message: string } }[] };
    assert.equal(report.ok, false);
    const k8s = report.components.find((c) => c.role === "stepBackend" && c.name === "k8s");
    assert.ok(k8s && k8s.status !== "ok");
    const gpu = report.components.find((c) => c.role === "stepBackend" && c.name === "gpu");
    assert.ok(gpu && gpu.status !== "ok");
  });

  it("parses arguments", () => {
    assert.deepEqual(parseStepBackendArg("g=vertex"), { name: "g", spec: { flavor: "vertex", config: {} } });
    assert.throws(() => parseStepBackendArg("=vertex"), (e: unknown) => e instanceof KoanError && e.code === "USAGE");
    assert.throws(() => parseStepBackendArg("g=vertex?a=1&a=2"), /given twice/);
    assert.throws(() => parseStepBackendArg("g 1=vertex"), /not a valid backend name/);
    assert.deepEqual(parseOrchestratorArg("local"), { flavor: "local", config: {} });
  });
});

describe("koan build", () => {
  let proj: Awaited<ReturnType<typeof tempProject>>;
  before(async () => {
    proj = await tempProject();
    await proj.write("package.json", JSON.stringify({ name: "@acme/churn", private: true, type: "module", dependencies: { koan: "^0.1.0" } }));
    await proj.write("package-lock.json", JSON.stringify({ name: "@acme/churn", lockfileVersion: 3, packages: {} }));
    await proj.write("pipelines/train.ts", "export {};\n");
    await proj.write(".npmrc", "//registry.example.com/:_authToken=SECRET-TOKEN\n");
    await proj.write(".env", "DB_PASSWORD=hunter2\n");
    await proj.write("keys/service-account-prod.json", "{}\n");
    assert.equal((await cli(["init"], proj.dir)).code, 0);
    await proj.write(".koan/metadata.db", "not copied");
  });
  after(() => proj.cleanup());

  it("writes the context (project, lockfile, Dockerfile with npm ci) without credentials or local state, and records the image", async () => {
    const r = await cli(["build", "--no-docker", "--image", "registry.example.com/acme/churn:v1", "--json"], proj.dir);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { image: string; contextDir: string; built: boolean; commands: string[] };
    assert.equal(result.image, "registry.example.com/acme/churn:v1");
    assert.equal(result.built, false);
    assert.deepEqual(result.commands, [`docker build -t registry.example.com/acme/churn:v1 ${result.contextDir}`, "docker push registry.example.com/acme/churn:v1"]);
    const dockerfile = await readFile(join(result.contextDir, "Dockerfile"), "utf8");
    assert.match(dockerfile, /^FROM node:20-slim$/m);
    assert.match(dockerfile, /COPY project\/package\.json project\/package-lock\.json \.\/\nRUN npm ci/);
    assert.match(dockerfile, /ENV PATH=\/app\/node_modules\/\.bin:\$PATH/);
    const has = (f: string) => existsSync(join(result.contextDir, "project", f));
    for (const f of ["package.json", "package-lock.json", "pipelines/train.ts", ".koan/config.yaml"]) assert.ok(has(f), `${f} is in the context`);
    for (const f of [".npmrc", ".env", "keys/service-account-prod.json", ".koan/metadata.db", "node_modules"]) assert.ok(!has(f), `${f} is not in the context`);
    const record = await readBuildRecord(proj.dir);
    assert.equal(record?.image, "registry.example.com/acme/churn:v1");
    assert.equal(await stepImage(proj.dir, undefined, "test"), "registry.example.com/acme/churn:v1", "runs use the recorded image");
  });

  it("records the git commit, and a later change makes runs refuse the image until it is rebuilt", async () => {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: proj.dir, stdio: "pipe" });
    try {
      git("init", "-q");
    } catch {
      return; // no git here: nothing to test
    }
    await writeFile(join(proj.dir, ".gitignore"), "node_modules\n");
    git("add", "-A");
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init");
    const r = await cli(["build", "--no-docker", "--json"], proj.dir);
    assert.equal(r.code, 0, r.stderr);
    const { image } = JSON.parse(r.stdout) as { image: string };
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: proj.dir, encoding: "utf8" }).trim();
    assert.equal(image, `koan-churn:${commit.slice(0, 12)}`, "named after the package (scope dropped) and the commit");
    assert.equal(await stepImage(proj.dir, undefined, "test"), image);
    await writeFile(join(proj.dir, "pipelines", "train.ts"), "export const changed = 1;\n");
    await assert.rejects(stepImage(proj.dir, undefined, "test"), (e: unknown) => e instanceof KoanError && /does not hold this project's code/.test(e.message));
    assert.equal(await stepImage(proj.dir, "registry.example.com/x:1", "test"), "registry.example.com/x:1", "a configured image is used as is");
  });

  it("refuses a project without a lockfile, a bad image reference, and --push without a registry", async () => {
    const other = await tempProject();
    try {
      await other.write("package.json", "{}");
      assert.equal((await cli(["init"], other.dir)).code, 0);
      const r = await cli(["build", "--no-docker"], other.dir);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /no package-lock\.json/);
    } finally {
      await other.cleanup();
    }
    const bad = await cli(["build", "--no-docker", "--image", "Bad Image"], proj.dir);
    assert.match(bad.stderr, /not a valid image reference/);
    const push = await cli(["build", "--no-docker", "--push", "--image", "local:1"], proj.dir);
    assert.match(push.stderr, /names no registry/);
  });

  it("never copies credentials", () => {
    for (const f of [".npmrc", ".env", ".env.production", "config/.env.local", "certs/tls.key", "sa/credentials.json", ".git/config", "node_modules/x/index.js", ".koan/secrets.yaml"]) assert.equal(copyable(f), false, f);
    for (const f of ["src/env.ts", "pipelines/a.ts", ".koan/config.yaml", "README.md"]) assert.equal(copyable(f), true, f);
  });
});
