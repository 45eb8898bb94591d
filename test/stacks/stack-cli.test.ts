/** `koan stack register|list|use|describe|delete` end to end, including bad input leaving nothing behind. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { koan, tempProject } from "../helpers.js";
import { freePort } from "./postgres-server.js";

const cleanups: (() => Promise<void>)[] = [];
after(async () => Promise.all(cleanups.map((c) => c())));

const PIPELINE = `import { pipeline, step, types as t } from "koan";
const one = step({ name: "one", outputs: { v: t.json<number>() }, run: () => ({ v: 1 }) });
export default pipeline({ name: "tiny", build: () => { one(); } });
`;

async function project(): Promise<{ dir: string; env: NodeJS.ProcessEnv; configText: () => Promise<string> }> {
  const p = await tempProject();
  cleanups.push(p.cleanup);
  await p.write("pipeline.ts", PIPELINE);
  const env = { KOAN_SECRETS_FILE: join(p.dir, "..", `${p.dir.split("/").pop()}-secrets.json`) };
  cleanups.push(async () => writeFile(env.KOAN_SECRETS_FILE, "").catch(() => undefined));
  const init = await koan(["init"], p.dir, env);
  assert.equal(init.code, 0, init.stderr);
  return { dir: p.dir, env, configText: () => readFile(join(p.dir, ".koan", "config.yaml"), "utf8") };
}

test("register, list, use, describe and delete a stack", async () => {
  const { dir, env } = await project();
  const reg = await koan(["stack", "register", "team", "--artifact-store", "shared/artifacts", "--metadata-store", "sqlite:shared/meta.db", "--json"], dir, env);
  assert.equal(reg.code, 0, reg.stderr);
  const registered = JSON.parse(reg.stdout).registered;
  assert.deepEqual(registered.artifactStore, { flavor: "local", uri: `file://${dir}/shared/artifacts` });
  assert.deepEqual(registered.metadataStore, { flavor: "sqlite", uri: `sqlite://${dir}/shared/meta.db` });

  const list = JSON.parse((await koan(["stack", "list", "--json"], dir, env)).stdout) as { name: string; active: boolean }[];
  assert.deepEqual(list.map((s) => [s.name, s.active]), [["default", true], ["team", false]]);

  const use = await koan(["stack", "use", "team"], dir, env);
  assert.equal(use.code, 0, use.stderr);
  const describe = await koan(["stack", "describe", "--json"], dir, env);
  assert.equal(describe.code, 0, describe.stdout);
  const report = JSON.parse(describe.stdout);
  assert.equal(report.name, "team");
  assert.equal(report.ok, true);
  assert.deepEqual(report.components.map((c: { role: string; status: string }) => [c.role, c.status]), [["artifactStore", "ok"], ["metadataStore", "ok"], ["orchestrator", "ok"]]);
  const human = await koan(["stack", "describe", "team"], dir, env);
  assert.match(human.stdout, /all components reachable/);

  const run = await koan(["run", "pipeline.ts", "--json"], dir, env);
  assert.equal(run.code, 0, run.stderr);
  const runs = await koan(["runs", "--json"], dir, env);
  assert.equal(JSON.parse(runs.stdout).length, 1, "the run went to the team stack's store");
  const meta = await readFile(join(dir, "shared", "meta.db"));
  assert.ok(meta.includes(Buffer.from('"metadataStore":{"flavor":"sqlite","uri":"sqlite://')), "the run records the stack's flavors and URIs");

  const delActive = await koan(["stack", "delete", "team"], dir, env);
  assert.equal(delActive.code, 2);
  assert.match(delActive.stderr, /active stack/);
  assert.equal((await koan(["stack", "use", "default"], dir, env)).code, 0);
  const del = await koan(["stack", "delete", "team", "--json"], dir, env);
  assert.equal(del.code, 0, del.stderr);
  assert.deepEqual(JSON.parse(del.stdout), { deleted: "team" });
  assert.equal((await koan(["stack", "use", "team"], dir, env)).code, 2);
});

test("bad stacks are refused before anything is written", async () => {
  const { dir, env, configText } = await project();
  const before = await configText();
  const cases: [string[], RegExp][] = [
    [["--artifact-store", "ftp://x/y", "--metadata-store", "m.db"], /artifact store URI "ftp:\/\/x\/y": unknown scheme/],
    [["--artifact-store", "a", "--metadata-store", "notes.txt"], /metadata store URI/],
    [["--artifact-store", "a", "--metadata-store", "m.db", "--orchestrator", "kubeflow"], /orchestrator: unknown orchestrator flavor "kubeflow"/],
    [["--artifact-store", "a", "--metadata-store", "postgres://koan:pw-CANARY@h/db"], /clear text/],
    [["--artifact-store", "s3://bucket/x?nope=1", "--metadata-store", "m.db"], /unknown parameter "nope"/],
  ];
  for (const [args, pattern] of cases) {
    const r = await koan(["stack", "register", "broken", ...args], dir, env);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.ok(!r.stderr.includes("pw-CANARY"));
    assert.equal(await configText(), before, `${args.join(" ")} left the config unchanged`);
  }
  const badName = await koan(["stack", "register", "no/slash", "--artifact-store", "a", "--metadata-store", "m.db"], dir, env);
  assert.equal(badName.code, 2);
  const dup = await koan(["stack", "register", "default", "--artifact-store", "a", "--metadata-store", "m.db"], dir, env);
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /already exists/);
  const missing = await koan(["stack", "register", "x", "--artifact-store", "a"], dir, env);
  assert.equal(missing.code, 2, "--metadata-store is required");
  assert.equal(await configText(), before);
});

test("describe says which component is unreachable or unknown and why, exits 1, and shows no secret", async () => {
  const { dir, env } = await project();
  const port = await freePort();
  const secretEnv = { ...env, KOAN_SECRET_PGPW: "pw-CANARY-describe-77" };
  const reg = await koan(["stack", "register", "remote", "--artifact-store", "store", "--metadata-store", `postgres://koan:{{secret:pgpw}}@127.0.0.1:${port}/koan`], dir, secretEnv);
  assert.equal(reg.code, 0, reg.stderr);
  const config = await readFile(join(dir, ".koan", "config.yaml"), "utf8");
  assert.match(config, /\{\{secret:pgpw\}\}/, "the config keeps the reference");
  assert.ok(!config.includes("CANARY"));

  const d = await koan(["stack", "describe", "remote", "--json"], dir, secretEnv);
  assert.equal(d.code, 1);
  const report = JSON.parse(d.stdout);
  assert.equal(report.ok, false);
  const md = report.components.find((c: { role: string }) => c.role === "metadataStore");
  assert.equal(md.status, "unreachable");
  assert.match(md.error.message, /metadata store: cannot connect to the PostgreSQL metadata store postgres:\/\/koan:\*\*\*@127\.0\.0\.1:\d+\/koan: connection refused/);
  assert.deepEqual(md.secrets, ["pgpw"]);
  assert.equal(report.components.find((c: { role: string }) => c.role === "artifactStore").status, "ok");
  const human = await koan(["stack", "describe", "remote"], dir, secretEnv);
  assert.equal(human.code, 1);
  assert.match(human.stdout, /metadata store\s+postgres\s+unreachable/);
  assert.match(human.stdout, /not usable: metadata store/);

  const unset = await koan(["stack", "describe", "remote", "--json"], dir, env);
  assert.equal(unset.code, 1);
  const unsetMd = JSON.parse(unset.stdout).components.find((c: { role: string }) => c.role === "metadataStore");
  assert.equal(unsetMd.status, "invalid");
  assert.match(unsetMd.error.message, /secret "pgpw" is not set/);

  // A hand-edited config naming a flavor this Koan does not know.
  const path = join(dir, ".koan", "config.yaml");
  const doc = parseYaml(await readFile(path, "utf8")) as { stacks: Record<string, { artifactStore: { flavor: string } }> };
  (doc.stacks.remote as { artifactStore: { flavor: string } }).artifactStore.flavor = "hdfs";
  await writeFile(path, stringifyYaml(doc));
  const unknown = await koan(["stack", "describe", "remote", "--json"], dir, secretEnv);
  assert.equal(unknown.code, 1);
  const art = JSON.parse(unknown.stdout).components.find((c: { role: string }) => c.role === "artifactStore");
  assert.equal(art.status, "unknown-flavor");
  assert.match(art.error.message, /unknown artifact-store flavor "hdfs"/);

  for (const out of [d, human, unset, unknown]) assert.ok(!(out.stdout + out.stderr).includes("CANARY"), "no secret in describe output");
});
