/**
 * What Argo's workflow validation (`argo lint`, and the controller before it runs a Workflow) checks of the
 * templating, which the JSON Schema cannot: a leaf template may only use its own input parameters and
 * workflow-level variables (never `tasks.*`), a DAG task's arguments, `when` and `withSequence` may use the outputs
 * its ancestors declare (the aggregate `tasks.<t>.outputs.parameters` only of an expanded task) and `{{item}}`
 * only when it is expanded, each task passes exactly the parameters its template declares, and `depends` names
 * tasks of the same DAG.
 */

type Param = { name: string; value?: string; globalName?: string; valueFrom?: unknown };
type Task = { name: string; template: string; depends?: string; arguments?: { parameters?: Param[] }; withSequence?: unknown; withParam?: unknown; withItems?: unknown; when?: string };
type Template = { name: string; dag?: { tasks: Task[] }; container?: unknown; inputs?: { parameters?: Param[] }; outputs?: { parameters?: Param[] } };
type Workflow = { spec: { entrypoint: string; onExit?: string; templates: Template[] } };

const TAGS = /\{\{\s*([^{}]+?)\s*\}\}/g;

function tags(value: unknown): string[] {
  return [...JSON.stringify(value ?? null).matchAll(TAGS)].map((m) => m[1] as string);
}

/** The names `depends` refers to (Argo's expression: task names joined by &&, ||, !, parentheses, .Succeeded...). */
export function dependsOn(depends: string | undefined): string[] {
  return [...new Set((depends ?? "").split(/&&|\|\||[()!\s]+/).map((d) => d.trim().replace(/\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed)$/, "")).filter(Boolean))];
}

const expanded = (t: Task): boolean => t.withSequence !== undefined || t.withParam !== undefined || t.withItems !== undefined;

/** The problems Argo's validation would report for `wf`'s templating; empty when it would accept it. */
export function lintArgo(value: unknown): string[] {
  const wf = value as Workflow;
  const errors: string[] = [];
  const templates = new Map(wf.spec.templates.map((t) => [t.name, t]));
  const globals = new Set(wf.spec.templates.flatMap((t) => (t.outputs?.parameters ?? []).filter((p) => p.globalName).map((p) => `workflow.outputs.parameters.${p.globalName}`)));
  const workflowScope = new Set(["workflow.name", "workflow.namespace", "workflow.uid", "workflow.status", "workflow.failures", ...globals]);
  for (const t of wf.spec.templates) {
    if (t.dag) continue;
    const scope = new Set([...workflowScope, ...(t.inputs?.parameters ?? []).map((p) => `inputs.parameters.${p.name}`)]);
    for (const tag of tags(t)) if (!scope.has(tag)) errors.push(`templates.${t.name}: failed to resolve {{${tag}}}`);
  }
  for (const dag of wf.spec.templates.filter((t) => t.dag)) {
    const tasks = new Map((dag.dag?.tasks ?? []).map((t) => [t.name, t]));
    const ancestors = (name: string, seen = new Set<string>()): Set<string> => {
      for (const d of dependsOn(tasks.get(name)?.depends)) if (!seen.has(d)) ancestors(d, seen.add(d));
      return seen;
    };
    for (const task of tasks.values()) {
      const where = `templates.${dag.name}.tasks.${task.name}`;
      const tmpl = templates.get(task.template);
      if (!tmpl) errors.push(`${where}: template "${task.template}" not found`);
      for (const d of dependsOn(task.depends)) if (!tasks.has(d)) errors.push(`${where}: depends on "${d}", which is not a task of the DAG`);
      const scope = new Set(workflowScope);
      if (expanded(task)) scope.add("item");
      for (const a of ancestors(task.name)) {
        const at = tasks.get(a);
        const outputs = templates.get(at?.template ?? "")?.outputs?.parameters ?? [];
        for (const p of outputs) scope.add(`tasks.${a}.outputs.parameters.${p.name}`);
        if (at && expanded(at)) scope.add(`tasks.${a}.outputs.parameters`);
      }
      const fields = { arguments: task.arguments, when: task.when, withSequence: task.withSequence, withParam: task.withParam };
      for (const tag of tags(fields)) if (!scope.has(tag)) errors.push(`${where}: failed to resolve {{${tag}}}`);
      const given = (task.arguments?.parameters ?? []).map((p) => p.name).sort();
      const wanted = (tmpl?.inputs?.parameters ?? []).filter((p) => p.value === undefined).map((p) => p.name).sort();
      for (const w of wanted) if (!given.includes(w)) errors.push(`${where}: inputs.parameters.${w} was not supplied`);
      for (const g of given) if (tmpl && !(tmpl.inputs?.parameters ?? []).some((p) => p.name === g)) errors.push(`${where}: argument "${g}" is not an input of template "${tmpl.name}"`);
    }
  }
  if (!templates.has(wf.spec.entrypoint)) errors.push(`spec.entrypoint "${wf.spec.entrypoint}" is not a template`);
  if (wf.spec.onExit && !templates.has(wf.spec.onExit)) errors.push(`spec.onExit "${wf.spec.onExit}" is not a template`);
  return errors;
}
