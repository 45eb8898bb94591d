/**
 * A stand-in for the Kubernetes API with Argo Workflows installed, on 127.0.0.1: it accepts Workflows (POST),
 * runs their DAG the way Argo's controller does — each task's container command, for real, as a local process in
 * the project folder, after the tasks it `depends` on succeeded — keeps `status.phase` and `status.nodes` (Pod
 * nodes with phase and message) as Argo reports them, answers GET, and stops on a `spec.shutdown` patch. A task
 * can be made to fail before its command runs, as a pod whose image cannot be pulled does.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN } from "../helpers.js";
import { fakeServer, type FakeServer } from "../backends/fake-server.js";

type Task = { name: string; template: string; depends?: string };
type Template = {
  name: string;
  dag?: { tasks: Task[] };
  container?: { command: string[]; env?: { name: string; value?: string }[] };
  outputs?: { parameters?: { name: string; globalName?: string; valueFrom?: { path?: string } }[] };
};
type Node = { id: string; name: string; displayName: string; type: string; templateName: string; phase: string; message?: string; startedAt?: string; finishedAt?: string };
type Workflow = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string };
  spec: { templates: Template[]; entrypoint: string; shutdown?: string; onExit?: string };
  status: { phase: string; startedAt?: string; finishedAt?: string; message?: string; nodes: Record<string, Node>; outputs?: { parameters: { name: string; value: string }[] } };
};

/** The fake, with the workflows it holds and what each task printed. */
export interface FakeArgo extends FakeServer {
  workflows: Map<string, Workflow>;
  output: Map<string, string>;
}

/** Start the fake; `pullError` names tasks whose pods fail with ImagePullBackOff instead of running. */
export async function fakeArgo(projectDir: string, options: { pullError?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<FakeArgo> {
  const workflows = new Map<string, Workflow>();
  const output = new Map<string, string>();
  const children = new Set<ChildProcess>();
  const taskOutputs = new Map<string, string>();

  const runTask = (wf: Workflow, t: Template, id: string): Promise<boolean> =>
    new Promise((resolve) => {
      const node = wf.status.nodes[id] as Node;
      node.phase = "Running";
      node.startedAt = new Date().toISOString();
      if (options.pullError?.includes(t.name)) {
        setTimeout(() => {
          Object.assign(node, { phase: "Failed", message: `ImagePullBackOff: Back-off pulling image "us-central1-docker.pkg.dev/acme/koan/app:3f2a1c"`, finishedAt: new Date().toISOString() });
          resolve(false);
        }, 20);
        node.phase = "Pending";
        return;
      }
      // Argo's templating: task outputs, workflow outputs (global parameters), name and status.
      const outDir = mkdtempSync(join(tmpdir(), "fake-argo-"));
      const paths = new Map((t.outputs?.parameters ?? []).map((p) => [p.valueFrom?.path ?? "", join(outDir, p.name)]));
      const fill = (a: string): string =>
        paths.get(a) ??
        a
          .replace(/\{\{tasks\.([^.]+)\.outputs\.parameters\.([^}]+)\}\}/g, (_m, task: string, param: string) => taskOutputs.get(`${wf.metadata.name}/${task}/${param}`) ?? "")
          .replace(/\{\{workflow\.outputs\.parameters\.([^}]+)\}\}/g, (_m, param: string) => wf.status.outputs?.parameters.find((p) => p.name === param)?.value ?? "")
          .replace(/\{\{workflow\.name\}\}/g, wf.metadata.name)
          .replace(/\{\{workflow\.status\}\}/g, wf.status.phase);
      const [, ...args] = (t.container?.command ?? []).map(fill);
      const env = { ...process.env, ...options.env, ...Object.fromEntries((t.container?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string])) };
      const child = spawn(process.execPath, [BIN, ...args], { cwd: projectDir, env, stdio: ["ignore", "pipe", "pipe"] });
      children.add(child);
      let text = "";
      child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
      child.stderr?.on("data", (d: Buffer) => (text += d.toString()));
      child.on("exit", (code, signal) => {
        children.delete(child);
        output.set(`${wf.metadata.name}/${t.name}`, text);
        for (const p of t.outputs?.parameters ?? []) {
          let value = "";
          try {
            value = readFileSync(paths.get(p.valueFrom?.path ?? "") ?? "", "utf8");
          } catch {
            /* no output */
          }
          taskOutputs.set(`${wf.metadata.name}/${t.name}/${p.name}`, value);
          if (p.globalName) (wf.status.outputs ??= { parameters: [] }).parameters.push({ name: p.globalName, value });
        }
        Object.assign(node, { phase: code === 0 ? "Succeeded" : "Failed", finishedAt: new Date().toISOString(), ...(code === 0 ? {} : { message: signal ? `pod deleted (${signal})` : `Error (exit code ${code})` }) });
        resolve(code === 0);
      });
    });

  const execute = async (wf: Workflow): Promise<void> => {
    wf.status.phase = "Running";
    wf.status.startedAt = new Date().toISOString();
    const dag = wf.spec.templates.find((t) => t.name === wf.spec.entrypoint)?.dag?.tasks ?? [];
    const done = new Map<string, boolean>();
    const running = new Map<string, Promise<void>>();
    for (;;) {
      if (wf.spec.shutdown) break;
      for (const task of dag) {
        if (done.has(task.name) || running.has(task.name)) continue;
        const deps = (task.depends ?? "").split("&&").map((d) => d.trim()).filter(Boolean);
        if (deps.some((d) => done.get(d) === false)) {
          done.set(task.name, false);
          continue;
        }
        if (!deps.every((d) => done.get(d) === true)) continue;
        const id = `${wf.metadata.name}-${task.name}-${Math.floor(Math.random() * 1e9)}`;
        wf.status.nodes[id] = { id, name: `${wf.metadata.name}.${task.name}`, displayName: task.name, type: "Pod", templateName: task.template, phase: "Pending" };
        const template = wf.spec.templates.find((t) => t.name === task.template) as Template;
        running.set(task.name, runTask(wf, template, id).then((ok) => void done.set(task.name, ok)).finally(() => running.delete(task.name)));
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    await Promise.all(running.values());
    wf.status.phase = wf.spec.shutdown ? "Failed" : [...done.values()].every(Boolean) && done.size === dag.length ? "Succeeded" : "Failed";
    if (wf.spec.shutdown) wf.status.message = `Stopped with strategy '${wf.spec.shutdown}'`;
    const exit = wf.spec.onExit ? wf.spec.templates.find((t) => t.name === wf.spec.onExit) : undefined;
    if (exit && wf.spec.shutdown !== "Terminate") {
      const id = `${wf.metadata.name}-onexit`;
      wf.status.nodes[id] = { id, name: `${wf.metadata.name}.onExit`, displayName: `${wf.metadata.name}.onExit`, type: "Pod", templateName: exit.name, phase: "Pending" };
      const phase = wf.status.phase;
      await runTask(wf, exit, id);
      wf.status.phase = phase;
    }
    wf.status.finishedAt = new Date().toISOString();
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
