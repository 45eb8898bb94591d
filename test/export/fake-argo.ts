/**
 * A stand-in for the Kubernetes API with Argo Workflows installed, on 127.0.0.1: it accepts Workflows (POST),
 * checks their templating as Argo's validation does (test/export/argo-lint.ts; an invalid one fails with
 * `invalid spec: ...`), and runs their DAG the way Argo's controller does — each task's container command, for
 * real, as a local process in the project folder (`koan` on the PATH is this repository's CLI; `sh -c` scripts
 * run in the system's shell), after the tasks it `depends` on succeeded or were skipped, at most
 * `spec.parallelism` pods at once. It resolves task arguments, `when` (numeric comparisons) and `withSequence`
 * (one pod per item, named `<task>(<i>:<i>)` under a `TaskGroup` node, whose outputs aggregate as a JSON list in
 * item order), passes template inputs, reads output parameters from their `valueFrom.path`, keeps `status.phase`
 * and `status.nodes` as Argo reports them, answers GET, and stops on a `spec.shutdown` patch. A task can be made to
 * fail before its command runs, as a pod whose image cannot be pulled does.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { BIN } from "../helpers.js";
import { fakeServer, type FakeServer } from "../backends/fake-server.js";
import { dependsOn, lintArgo } from "./argo-lint.js";

type Param = { name: string; value?: string; globalName?: string; valueFrom?: { path?: string } };
type Task = { name: string; template: string; depends?: string; arguments?: { parameters?: Param[] }; withSequence?: { count?: string | number }; when?: string };
type Template = {
  name: string;
  dag?: { tasks: Task[] };
  container?: { command: string[]; env?: { name: string; value?: string }[] };
  inputs?: { parameters?: Param[] };
  outputs?: { parameters?: Param[] };
};
type Node = {
  id: string;
  name: string;
  displayName: string;
  type: string;
  templateName: string;
  phase: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  children?: string[];
  outputs?: { parameters: { name: string; value: string }[] };
};
type Workflow = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string };
  spec: { templates: Template[]; entrypoint: string; shutdown?: string; onExit?: string; parallelism?: number };
  status: { phase: string; startedAt?: string; finishedAt?: string; message?: string; nodes: Record<string, Node>; outputs?: { parameters: { name: string; value: string }[] } };
};

/** The fake, with the workflows it holds and what each pod printed (by `<workflow>/<node display name>`). */
export interface FakeArgo extends FakeServer {
  workflows: Map<string, Workflow>;
  output: Map<string, string>;
}

/** How a task ended: succeeded, failed (or omitted), skipped. */
type Outcome = "ok" | "failed" | "skipped";

const now = (): string => new Date().toISOString();

/** Argo's `{{...}}` substitution; throws on a variable it cannot resolve (the node then errors). */
function fill(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (_m, key: string) => {
    const v = vars.get(key);
    if (v === undefined) throw new Error(`Unable to resolve: {{${key}}}`);
    return v;
  });
}

/** A `when` expression after substitution: a numeric comparison. */
function when(expr: string): boolean {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expr);
  if (!m) throw new Error(`Invalid 'when' expression '${expr}'`);
  const [a, b] = [Number(m[1]), Number(m[3])];
  return { ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "==": a === b, "!=": a !== b }[m[2] as ">"];
}

/** Start the fake; `pullError` names templates (or pod display names) whose pods fail with ImagePullBackOff instead of running. */
export async function fakeArgo(projectDir: string, options: { pullError?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<FakeArgo> {
  const workflows = new Map<string, Workflow>();
  const output = new Map<string, string>();
  const children = new Set<ChildProcess>();
  // `koan` on the pods' PATH: this repository's CLI.
  const binDir = mkdtempSync(join(tmpdir(), "fake-argo-bin-"));
  writeFileSync(join(binDir, "koan"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(join(binDir, "koan"), 0o755);

  const execute = async (wf: Workflow): Promise<void> => {
    wf.status.phase = "Running";
    wf.status.startedAt = now();
    const templates = new Map(wf.spec.templates.map((t) => [t.name, t]));
    const vars = new Map<string, string>([["workflow.name", wf.metadata.name]]);
    let node = 0;
    const addNode = (displayName: string, type: string, templateName: string, phase: string, message?: string): Node => {
      const id = `${wf.metadata.name}-${++node}${Math.floor(Math.random() * 1e6)}`;
      const n: Node = { id, name: `${wf.metadata.name}.${displayName}`, displayName, type, templateName, phase, ...(message ? { message } : {}) };
      wf.status.nodes[id] = n;
      return n;
    };
    const end = (n: Node, phase: string, message?: string): void => void Object.assign(n, { phase, finishedAt: now(), ...(message ? { message } : {}) });

    // Pods, at most spec.parallelism at once.
    let slots = wf.spec.parallelism && wf.spec.parallelism > 0 ? wf.spec.parallelism : Infinity;
    const waiting: (() => void)[] = [];
    const slot = async (): Promise<() => void> => {
      while (slots <= 0) await new Promise<void>((r) => waiting.push(r));
      slots--;
      return () => {
        slots++;
        waiting.shift()?.();
      };
    };

    /** Run one pod of `t` with `inputs`; resolves with its output parameters, or undefined when it failed. */
    const runPod = async (t: Template, n: Node, inputs: ReadonlyMap<string, string>): Promise<Map<string, string> | undefined> => {
      const release = await slot();
      try {
        if (wf.spec.shutdown) {
          end(n, "Failed", "workflow shutdown");
          return undefined;
        }
        n.startedAt = now();
        if (options.pullError?.includes(t.name) || options.pullError?.includes(n.displayName)) {
          await new Promise((r) => setTimeout(r, 20));
          end(n, "Failed", `ImagePullBackOff: Back-off pulling image "us-central1-docker.pkg.dev/acme/koan/app:3f2a1c"`);
          return undefined;
        }
        n.phase = "Running";
        const scope = new Map([
          ...vars,
          ...[...inputs].map(([k, v]) => [`inputs.parameters.${k}`, v] as const),
          ...(wf.status.outputs?.parameters ?? []).map((p) => [`workflow.outputs.parameters.${p.name}`, p.value] as const),
          ["workflow.status", wf.status.phase] as const,
        ]);
        const outDir = mkdtempSync(join(tmpdir(), "fake-argo-"));
        const paths = (t.outputs?.parameters ?? []).map((p) => [p.valueFrom?.path ?? "", join(outDir, p.name)] as const);
        let command: string[];
        let env: NodeJS.ProcessEnv;
        try {
          command = (t.container?.command ?? []).map((a) => paths.reduce((s, [from, to]) => (from ? s.split(from).join(to) : s), fill(a, scope)));
          env = { ...process.env, ...options.env, ...Object.fromEntries((t.container?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, fill(e.value as string, scope)])) };
        } catch (e) {
          end(n, "Error", (e as Error).message);
          return undefined;
        }
        env.PATH = `${binDir}${delimiter}${env.PATH ?? ""}`;
        const [cmd, ...args] = command;
        const child = spawn(cmd as string, args, { cwd: projectDir, env, stdio: ["ignore", "pipe", "pipe"] });
        children.add(child);
        let text = "";
        child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
        child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
        const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on("close", (c, s) => r([c, s])));
        children.delete(child);
        output.set(`${wf.metadata.name}/${n.displayName}`, text);
        if (code !== 0) {
          end(n, "Failed", signal ? `pod deleted (${signal})` : `Error (exit code ${code})`);
          return undefined;
        }
        const values = new Map<string, string>();
        for (const [i, p] of (t.outputs?.parameters ?? []).entries()) {
          let value = "";
          try {
            value = readFileSync(paths[i]?.[1] ?? "", "utf8");
          } catch {
            end(n, "Error", `failed to read output parameter "${p.name}" from ${p.valueFrom?.path}`);
            return undefined;
          }
          values.set(p.name, value);
          if (p.globalName) (wf.status.outputs ??= { parameters: [] }).parameters.push({ name: p.globalName, value });
        }
        n.outputs = { parameters: [...values].map(([name, value]) => ({ name, value })) };
        end(n, "Succeeded");
        return values;
      } finally {
        release();
      }
    };

    /** Run one DAG task (resolving its arguments, `when`, `withSequence`); records its outputs in `vars`. */
    const runTask = async (task: Task): Promise<Outcome> => {
      const t = templates.get(task.template) as Template;
      const args = (item?: string): Map<string, string> => {
        const scope = item === undefined ? vars : new Map([...vars, ["item", item]]);
        return new Map((task.arguments?.parameters ?? []).map((p) => [p.name, fill(p.value ?? "", scope)]));
      };
      try {
        if (task.withSequence === undefined) {
          if (task.when !== undefined && !when(fill(task.when, vars))) {
            addNode(task.name, "Skipped", t.name, "Skipped", `when '${task.when}' evaluated false`);
            return "skipped";
          }
          const n = addNode(task.name, "Pod", t.name, "Pending");
          const out = await runPod(t, n, args());
          if (!out) return "failed";
          for (const [k, v] of out) vars.set(`tasks.${task.name}.outputs.parameters.${k}`, v);
          return "ok";
        }
        const count = Number(fill(String(task.withSequence.count ?? ""), vars));
        if (!Number.isInteger(count) || count < 0) throw new Error(`withSequence count "${String(task.withSequence.count)}" is not a number`);
        if (count === 0) {
          addNode(task.name, "Skipped", t.name, "Skipped", "Skipped, empty params");
          return "skipped";
        }
        const group = addNode(task.name, "TaskGroup", t.name, "Running");
        const results = await Promise.all(
          Array.from({ length: count }, async (_, i) => {
            const n = addNode(`${task.name}(${i}:${i})`, "Pod", t.name, "Pending");
            (group.children ??= []).push(n.id);
            return runPod(t, n, args(String(i)));
          }),
        );
        if (results.some((r) => !r)) {
          end(group, "Failed", "child failed");
          return "failed";
        }
        const maps = results.map((r) => Object.fromEntries(r as Map<string, string>));
        vars.set(`tasks.${task.name}.outputs.parameters`, JSON.stringify(maps));
        for (const p of t.outputs?.parameters ?? []) vars.set(`tasks.${task.name}.outputs.parameters.${p.name}`, JSON.stringify(maps.map((m) => m[p.name])));
        end(group, "Succeeded");
        return "ok";
      } catch (e) {
        addNode(task.name, "Skipped", t.name, "Error", (e as Error).message);
        return "failed";
      }
    };

    const invalid = lintArgo(wf);
    if (invalid.length) {
      Object.assign(wf.status, { phase: "Failed", message: `invalid spec: ${invalid[0]}`, finishedAt: now() });
      return;
    }
    const dag = templates.get(wf.spec.entrypoint)?.dag?.tasks ?? [];
    const done = new Map<string, Outcome>();
    const running = new Map<string, Promise<void>>();
    for (;;) {
      if (wf.spec.shutdown) break;
      for (const task of dag) {
        if (done.has(task.name) || running.has(task.name)) continue;
        const deps = dependsOn(task.depends);
        if (deps.some((d) => done.get(d) === "failed")) {
          addNode(task.name, "Skipped", task.template, "Omitted", "omitted: depends condition not met");
          done.set(task.name, "failed");
          continue;
        }
        if (!deps.every((d) => done.has(d))) continue;
        running.set(task.name, runTask(task).then((o) => void done.set(task.name, o)).finally(() => running.delete(task.name)));
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    await Promise.all(running.values());
    wf.status.phase = wf.spec.shutdown ? "Failed" : done.size === dag.length && [...done.values()].every((o) => o !== "failed") ? "Succeeded" : "Failed";
    if (wf.spec.shutdown) wf.status.message = `Stopped with strategy '${wf.spec.shutdown}'`;
    const exit = wf.spec.onExit ? templates.get(wf.spec.onExit) : undefined;
    if (exit && wf.spec.shutdown !== "Terminate") {
      const phase = wf.status.phase;
      const id = `${wf.metadata.name}-onexit`;
      const n: Node = (wf.status.nodes[id] = { id, name: `${wf.metadata.name}.onExit`, displayName: `${wf.metadata.name}.onExit`, type: "Pod", templateName: exit.name, phase: "Pending" });
      await runPod(exit, n, new Map());
      wf.status.phase = phase;
    }
    wf.status.finishedAt = now();
  };

  const base = "/apis/argoproj.io/v1alpha1/namespaces/";
  const server = await fakeServer([
    (r) => {
      const m = r.path.startsWith(base) ? r.path.slice(base.length).split("/") : [];
      const [ns, plural, name] = m;
      if (plural !== "workflows") return undefined;
      if (r.method === "POST" && !name) {
        const body = r.body as Workflow & { metadata: { name?: string; generateName?: string } };
        const wfName = body.metadata.name ?? `${body.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
        const wf: Workflow = { ...body, metadata: { ...body.metadata, name: wfName, namespace: ns as string, uid: "c0ffee" }, status: { phase: "Pending", nodes: {} } };
        workflows.set(wfName, wf);
        setTimeout(() => void execute(wf), 10);
        return { status: 201, json: wf };
      }
      const wf = name ? workflows.get(name) : undefined;
      if (!wf) return { status: 404, json: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: `workflows.argoproj.io "${name}" not found` } };
      if (r.method === "GET") return { json: wf };
      if (r.method === "PATCH") {
        for (const op of r.body as { op: string; path: string; value: string }[]) if (op.path === "/spec/shutdown") wf.spec.shutdown = op.value;
        for (const c of children) c.kill("SIGTERM");
        return { json: wf };
      }
      return undefined;
    },
  ]);
  return {
    ...server,
    workflows,
    output,
    close: async () => {
      for (const c of children) c.kill("SIGKILL");
      await server.close();
    },
  };
}
