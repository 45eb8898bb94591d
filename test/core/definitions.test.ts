import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { pipeline, step, types as t, commandStep } from "../../src/index.js";
import { isKoanError } from "../../src/core/errors.js";
import { fromNodes } from "../../src/core/pipeline.js";
import { topologicalOrder, type GraphNode } from "../../src/core/graph.js";

const numbers = step({ name: "numbers", outputs: { xs: t.json<number[]>(), file: t.file() }, run: () => ({ xs: [1], file: "/x" }) });
const total = step({ name: "total", inputs: { xs: t.json<number[]>() }, outputs: { sum: t.json<number>() }, run: (_c, { xs }) => ({ sum: xs.length }) });
const asText = step({ name: "as_text", inputs: { text: t.json<string>() }, outputs: {}, run: () => ({}) });
const readDir = step({ name: "read_dir", inputs: { folder: t.dir() }, run: () => ({}) });

test("a pipeline's order follows data dependencies and is deterministic", () => {
  const p = pipeline({
    name: "order",
    build: () => {
      const { xs } = numbers();
      total({ xs }, { name: "second" });
      total({ xs });
    },
  });
  assert.deepEqual(p.order, ["numbers", "second", "total"]);
  assert.deepEqual(p.spec().nodes.find((n) => n.name === "total")?.inputs, { xs: { node: "numbers", port: "xs", kind: "json" } });
});

test("wiring mismatched types is a compile-time error and a definition-time error", () => {
  assert.throws(
    () =>
      pipeline({
        name: "mismatch",
        build: () => {
          const { file } = numbers();
          // @ts-expect-error a file output cannot feed a folder input
          readDir({ folder: file });
        },
      }),
    (e) => isKoanError(e, "PIPELINE_INVALID") && /output "file" of step "numbers" \(file\).*input "folder" of step "read_dir" \(dir\)/.test(e.message),
  );
  pipeline({
    name: "compile-time-only",
    build: () => {
      const { xs } = numbers();
      // @ts-expect-error json<number[]> is not json<string>: caught by the compiler (same kind at run time)
      asText({ text: xs });
    },
  });
});

test("duplicate step names are refused, and renaming fixes it", () => {
  assert.throws(
    () => pipeline({ name: "dup", build: () => { numbers(); numbers(); } }),
    (e) => isKoanError(e, "PIPELINE_INVALID") && e.message.includes('two steps named "numbers"') && (e.hint ?? "").includes("name"),
  );
  const ok = pipeline({ name: "dup-ok", build: () => { numbers(); numbers(undefined, { name: "numbers_2" }); } });
  assert.deepEqual(ok.order, ["numbers", "numbers_2"]);
});

test("a missing or unknown input is a definition-time error naming step and port", () => {
  assert.throws(
    // @ts-expect-error missing required input
    () => pipeline({ name: "missing", build: () => { total({}); } }),
    (e) => isKoanError(e, "PIPELINE_INVALID") && e.message.includes('step "total"') && e.message.includes('input "xs"'),
  );
  assert.throws(
    () => pipeline({ name: "unknown", build: () => { const { xs } = numbers(); total({ xs, extra: xs } as never); } }),
    (e) => isKoanError(e, "PIPELINE_INVALID") && e.message.includes('no input "extra"'),
  );
});

test("cycles are definition-time errors naming the steps", () => {
  const nodes: GraphNode[] = [
    { name: "a", inputs: { x: { node: "c", port: "out" } }, outputs: ["out"] },
    { name: "b", inputs: { x: { node: "a", port: "out" } }, outputs: ["out"] },
    { name: "c", inputs: { x: { node: "b", port: "out" } }, outputs: ["out"] },
    { name: "d", inputs: {}, outputs: ["out"] },
  ];
  assert.throws(() => topologicalOrder("cyclic", nodes), (e) => isKoanError(e, "PIPELINE_INVALID") && /cycle among steps: a, b, c/.test(e.message));
  const def = total.definition;
  assert.throws(
    () => fromNodes({ name: "cyc", description: undefined, concurrency: 1, seed: 0 }, [
      { name: "t1", step: def, inputs: { xs: { node: "t2", port: "sum" } }, params: {} },
      { name: "t2", step: def, inputs: { xs: { node: "t1", port: "sum" } }, params: {} },
    ]),
    (e) => isKoanError(e, "PIPELINE_INVALID") && e.message.includes("cycle"),
  );
  assert.throws(() => topologicalOrder("dangling", [{ name: "a", inputs: { x: { node: "ghost", port: "o" } }, outputs: [] }]), /unknown step "ghost"/);
});

test("calling a step outside a pipeline, bad names and empty pipelines are refused", () => {
  assert.throws(() => numbers(), (e) => isKoanError(e, "PIPELINE_INVALID") && e.message.includes("outside"));
  assert.throws(() => step({ name: "bad name", run: () => ({}) }), (e) => isKoanError(e, "STEP_INVALID"));
  assert.throws(() => step({ name: "ok", outputs: { x: {} as never }, run: () => ({}) as never }), (e) => isKoanError(e, "STEP_INVALID") && e.message.includes("artifact type"));
  assert.throws(() => pipeline({ name: "empty", build: () => undefined }), (e) => isKoanError(e, "PIPELINE_INVALID") && e.message.includes("no steps"));
  assert.throws(() => pipeline({ name: "asyncb", build: (async () => { numbers(); }) as never }), /async/);
});

test("a step's code hash covers its source and version but not formatting", () => {
  const mk = (src: (n: number) => number, version?: string) =>
    step({ name: "h", params: z.object({ n: z.number() }), outputs: { y: t.json<number>() }, ...(version ? { version } : {}), run: (_c, _i, { n }) => ({ y: src(n) }) }).definition.codeHash;
  const a = step({ name: "h", outputs: { y: t.json<number>() }, run: () => ({ y: 1 }) }).definition.codeHash;
  const b = step({ name: "h", outputs: { y: t.json<number>() }, run: () => ({ y: 2 }) }).definition.codeHash;
  assert.notEqual(a, b);
  const f = (n: number) => n;
  assert.notEqual(mk(f, "1"), mk(f, "2"));
  assert.equal(mk(f, "1"), mk(f, "1"));
});

test("commandStep checks its placeholders at definition time", () => {
  assert.throws(() => commandStep({ name: "c", command: ["echo", "{inputs.nope}"] }), (e) => isKoanError(e, "STEP_INVALID") && e.message.includes("inputs.nope"));
  assert.throws(() => commandStep({ name: "c", command: [] }), (e) => isKoanError(e, "STEP_INVALID"));
  assert.throws(() => commandStep({ name: "c", command: ["x"], script: "/no/such/script.py" }), (e) => isKoanError(e, "STEP_INVALID") && e.message.includes("/no/such/script.py"));
});
