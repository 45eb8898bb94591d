/**
 * Registration of the cloud artifact store flavors: they are listed beside `local`, their configs are strict,
 * credentials are references, URIs name the bucket, and registering them (or validating a config) loads no SDK.
 */
import "./no-cloud.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { createComponent, listFlavors } from "../../src/core/flavor.js";
import { isKoanError } from "../../src/core/errors.js";
import type { ArtifactStore } from "../../src/stores/artifact/types.js";
import "../../src/stores/flavors.js";
import { REPO } from "../helpers.js";

const ctx = { projectDir: "/projects/p" };

test("artifact store flavors: local, s3, azure and gcs are registered", () => {
  const names = listFlavors("artifact-store").map((f) => f.name);
  for (const n of ["local", "s3", "azure", "gcs"]) assert.ok(names.includes(n), names.join(","));
});

test("registering the flavors and validating their configs loads no cloud SDK", () => {
  const hook = `data:text/javascript,${encodeURIComponent(
    "export async function resolve(s, c, next) { if (/^@(aws-sdk|azure|google-cloud|smithy)\\//.test(s)) throw new Error('SDK loaded: ' + s); return next(s, c); }",
  )}`;
  const flavors = pathToFileURL(join(REPO, "dist", "src", "stores", "flavors.js")).href;
  const core = pathToFileURL(join(REPO, "dist", "src", "core", "flavor.js")).href;
  const script = `
    import { register } from "node:module";
    register(${JSON.stringify(hook)});
    await import(${JSON.stringify(flavors)});
    const { getFlavor, createComponent } = await import(${JSON.stringify(core)});
    for (const [name, config] of [["s3", { bucket: "bkt" }], ["azure", { container: "ctr", account: "acct" }], ["gcs", { bucket: "bkt" }]]) {
      const r = getFlavor("artifact-store", name).config.safeParse(config);
      if (!r.success) throw new Error(name + " config refused");
    }
    try { await createComponent("artifact-store", "s3", { bucket: "bkt" }, { projectDir: "/" }); console.log("opened"); }
    catch (e) { console.log(String(e.message).includes("SDK loaded: @aws-sdk") ? "sdk-on-open" : "other: " + e.message); }
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true" } });
  assert.equal(r.status, 0, r.stderr);
  // Only opening a store imports its SDK.
  assert.equal(r.stdout.trim(), "sdk-on-open", r.stderr);
});

test("configs are strict and validated: unknown fields, bad names, bad endpoints, unsafe prefixes", async () => {
  const bad: [string, Record<string, unknown>][] = [
    ["s3", {}],
    ["s3", { bucket: "b/with/slash" }],
    ["s3", { bucket: "bucket", secretAccessKey: "x" }],
    ["s3", { bucket: "bucket", endpoint: "ftp://host" }],
    ["s3", { bucket: "bucket", partSizeMiB: 1 }],
    ["s3", { bucket: "bucket", prefix: "a/../b" }],
    ["azure", { account: "acct" }],
    ["gcs", { bucket: "bucket", endpoint: "not a url" }],
  ];
  for (const [flavor, config] of bad) {
    await assert.rejects(createComponent("artifact-store", flavor, config, ctx), (e) => isKoanError(e, "CONFIG_INVALID"), `${flavor} ${JSON.stringify(config)}`);
  }
});

test("store URIs name the bucket and prefix, never a credential; opening makes no request", async () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["s3", { bucket: "team-artifacts", prefix: "/koan/", region: "eu-west-1" }, "s3://team-artifacts/koan"],
    ["s3", { bucket: "bkt", endpoint: "http://127.0.0.1:9", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI" } }, "s3://bkt"],
    ["azure", { account: "acct", container: "koan", prefix: "p" }, "https://acct.blob.core.windows.net/koan/p"],
    ["azure", { endpoint: "https://acct.blob.core.windows.net", container: "koan", sasToken: "sv=2024&sig=SIGNATURE" }, "https://acct.blob.core.windows.net/koan"],
    ["gcs", { bucket: "ml-team", prefix: "artifacts", endpoint: "http://127.0.0.1:9", anonymous: true }, "gs://ml-team/artifacts"],
  ];
  for (const [flavor, config, uri] of cases) {
    const s = await createComponent<ArtifactStore>("artifact-store", flavor, config, ctx);
    try {
      assert.equal(s.flavor, flavor);
      assert.equal(s.uri, uri);
      assert.equal(typeof (s as ArtifactStore & { check?: unknown }).check, "function");
    } finally {
      await s.close();
    }
  }
});
