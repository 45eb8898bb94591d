/**
 * The pipeline builder: collects step calls made inside a pipeline's `build` function into nodes, checking
 * each wire as it is made (names, missing and unknown inputs, type kinds).
 * @module
 */
import { KoanError } from "./errors.js";
import type { CallOptions, OutputRef, StepDefinition } from "./step.js";

/** A step call in a pipeline: the plain-data part of a DAG node plus its definition. */
export interface PipelineNode {
  /** Unique name of the node in the pipeline (the step's name unless renamed at the call). */
  readonly name: string;
  readonly step: StepDefinition;
  /** Input port to the producing node and output port. */
  readonly inputs: { readonly [port: string]: { readonly node: string; readonly port: string } };
  /** Parameter values bound by the pipeline at the call. */
  readonly params: { readonly [key: string]: unknown };
}

/** Collects nodes; one per `build` call. */
export class PipelineBuilder {
  readonly nodes: PipelineNode[] = [];
  private readonly byName = new Map<string, PipelineNode>();

  constructor(readonly pipeline: string) {}

  add(definition: StepDefinition, inputs: Record<string, OutputRef>, options: CallOptions<unknown>): Record<string, OutputRef> {
    const name = options.name ?? definition.name;
    if (this.byName.has(name)) {
      throw new KoanError("PIPELINE_INVALID", `pipeline "${this.pipeline}" has two steps named "${name}"`, {
        hint: `give the second call its own name: ${definition.name}(inputs, { name: "${name}_2" })`,
      });
    }
    if (typeof inputs !== "object" || inputs === null) {
      throw new KoanError("PIPELINE_INVALID", `step "${name}" in pipeline "${this.pipeline}" was called with ${String(inputs)} instead of an inputs object`);
    }
    const wired: Record<string, { node: string; port: string }> = {};
    for (const [port, type] of Object.entries(definition.inputs)) {
      const ref = inputs[port];
      if (ref === undefined) {
        throw new KoanError("PIPELINE_INVALID", `step "${name}" in pipeline "${this.pipeline}" is missing its input "${port}"`, {
          hint: `pass another step's output: ${name}({ ${port}: other.${port} })`,
        });
      }
      if (!isRef(ref)) {
        throw new KoanError("PIPELINE_INVALID", `input "${port}" of step "${name}" is not a step output`, { hint: "pass a value returned by calling another step" });
      }
      const producer = this.byName.get(ref.node);
      if (!producer || !(ref.port in producer.step.outputs)) {
        throw new KoanError("PIPELINE_INVALID", `input "${port}" of step "${name}" refers to "${ref.node}.${ref.port}", which is not an output of this pipeline`);
      }
      if (ref.type.kind !== type.kind) {
        throw new KoanError(
          "PIPELINE_INVALID",
          `cannot wire output "${ref.port}" of step "${ref.node}" (${ref.type.kind}) to input "${port}" of step "${name}" (${type.kind})`,
        );
      }
      wired[port] = { node: ref.node, port: ref.port };
    }
    for (const port of Object.keys(inputs)) {
      if (!(port in definition.inputs)) {
        const known = Object.keys(definition.inputs);
        throw new KoanError("PIPELINE_INVALID", `step "${name}" has no input "${port}" (inputs: ${known.length ? known.join(", ") : "none"})`);
      }
    }
    const node: PipelineNode = Object.freeze({ name, step: definition, inputs: wired, params: { ...(options.params ?? {}) } });
    this.nodes.push(node);
    this.byName.set(name, node);
    const outputs: Record<string, OutputRef> = {};
    for (const [port, type] of Object.entries(definition.outputs)) outputs[port] = Object.freeze({ node: name, port, type });
    return outputs;
  }
}

function isRef(v: unknown): v is OutputRef {
  return typeof v === "object" && v !== null && typeof (v as OutputRef).node === "string" && typeof (v as OutputRef).port === "string" && typeof (v as OutputRef).type === "object";
}

let active: PipelineBuilder | undefined;

/** The builder of the pipeline whose `build` function is running, if any. */
export function currentBuilder(): PipelineBuilder | undefined {
  return active;
}

/** Run `build` with a fresh builder; returns the nodes it added. */
export function collect(pipelineName: string, build: () => unknown): PipelineNode[] {
  if (active) throw new KoanError("PIPELINE_INVALID", `pipeline "${pipelineName}" was defined inside the build function of pipeline "${active.pipeline}"`);
  const builder = new PipelineBuilder(pipelineName);
  active = builder;
  try {
    const result = build();
    if (result instanceof Promise) {
      throw new KoanError("PIPELINE_INVALID", `the build function of pipeline "${pipelineName}" is async; it must call steps synchronously`);
    }
  } finally {
    active = undefined;
  }
  return builder.nodes;
}
