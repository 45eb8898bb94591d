/**
 * DAG checks over plain node data: duplicate names, references to missing nodes or ports, and cycles.
 * @module
 */
import { KoanError } from "./errors.js";

/** The graph view of a node: its name and the nodes it reads from. */
export interface GraphNode {
  readonly name: string;
  readonly inputs: { readonly [port: string]: { readonly node: string; readonly port: string } };
  readonly outputs: readonly string[];
}

/**
 * Validate a graph and return its node names in a deterministic topological order
 * (ties broken by the order nodes were given).
 * @throws KoanError `PIPELINE_INVALID` naming the duplicate, the dangling reference or the nodes of a cycle.
 */
export function topologicalOrder(pipeline: string, nodes: readonly GraphNode[]): string[] {
  const byName = new Map<string, GraphNode>();
  for (const n of nodes) {
    if (byName.has(n.name)) throw new KoanError("PIPELINE_INVALID", `pipeline "${pipeline}" has two steps named "${n.name}"`);
    byName.set(n.name, n);
  }
  const indegree = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const n of nodes) {
    const parents = new Set<string>();
    for (const [port, ref] of Object.entries(n.inputs)) {
      const p = byName.get(ref.node);
      if (!p) throw new KoanError("PIPELINE_INVALID", `input "${port}" of step "${n.name}" refers to unknown step "${ref.node}"`);
      if (!p.outputs.includes(ref.port)) throw new KoanError("PIPELINE_INVALID", `input "${port}" of step "${n.name}" refers to "${ref.node}.${ref.port}", but "${ref.node}" has no output "${ref.port}"`);
      parents.add(ref.node);
    }
    indegree.set(n.name, parents.size);
    for (const p of parents) children.set(p, [...(children.get(p) ?? []), n.name]);
  }
  const order: string[] = [];
  const ready = nodes.filter((n) => indegree.get(n.name) === 0).map((n) => n.name);
  const position = new Map(nodes.map((n, i) => [n.name, i] as const));
  while (ready.length) {
    const name = ready.shift() as string;
    order.push(name);
    for (const c of children.get(name) ?? []) {
      const d = (indegree.get(c) ?? 0) - 1;
      indegree.set(c, d);
      if (d === 0) {
        ready.push(c);
        ready.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
      }
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((n) => !order.includes(n.name)).map((n) => n.name);
    throw new KoanError("PIPELINE_INVALID", `pipeline "${pipeline}" has a cycle among steps: ${stuck.join(", ")}`);
  }
  return order;
}
