/** Unit tests of the runs query parser, value filters, ordering and redaction. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isSecretKey, redact, redactUri } from "../../src/ui/redact.js";
import { valueMatches, runOrder } from "../../src/ui/run-filter.js";
import { parseFilter, parseRunQuery, parseSort } from "../../src/ui/run-query.js";
import type { RunSummary } from "../../src/ui/api-types.js";

test("parses runs queries", () => {
  const q = parseRunQuery(new URLSearchParams("pipeline=p&status=failed,running&from=2026-01-01&to=2026-01-31&limit=10&offset=20&sort=-metrics.eval.auc&filter=params.train.lr%3E%3D0.01"));
  assert.equal(q.pipeline, "p");
  assert.deepEqual(q.statuses, ["failed", "running"]);
  assert.equal(q.from, "2026-01-01T00:00:00.000Z");
  assert.equal(q.to, "2026-02-01T00:00:00.000Z", "a bare date in `to` includes that day");
  assert.deepEqual([q.limit, q.offset], [10, 20]);
  assert.deepEqual(q.sort, { field: "metrics.eval.auc", desc: true });
  assert.deepEqual(q.filters, [{ on: "params", key: "train.lr", op: ">=", value: "0.01" }]);
  assert.deepEqual(parseRunQuery(new URLSearchParams("")).sort, { field: "startedAt", desc: true });
  assert.deepEqual(parseFilter("params.opt=adam"), { on: "params", key: "opt", op: "=", value: "adam" });
  assert.deepEqual(parseFilter("params.name~bert"), { on: "params", key: "name", op: "~", value: "bert" });
  assert.throws(() => parseFilter("metrics.auc>high"), /numbers/);
  assert.throws(() => parseSort("-colour"), /cannot sort/);
  assert.throws(() => parseRunQuery(new URLSearchParams("limit=501")), /limit/);
});

test("value filters compare numbers as numbers and the rest as text", () => {
  assert.equal(valueMatches(10, { on: "params", key: "k", op: ">", value: "9" }), true, "10 > 9 numerically");
  assert.equal(valueMatches("10", { on: "params", key: "k", op: ">", value: "9" }), false, "as text");
  assert.equal(valueMatches("adam", { on: "params", key: "k", op: "!=", value: "sgd" }), true);
  assert.equal(valueMatches([1, 2], { on: "params", key: "k", op: "=", value: "[1,2]" }), true);
  assert.equal(valueMatches(undefined, { on: "params", key: "k", op: "!=", value: "x" }), false, "runs without the key never match");
});

test("ordering puts runs without the value last, both ways", () => {
  const run = (id: string, loss?: number): RunSummary => ({ id, pipeline: "p", status: "succeeded", startedAt: `2026-01-0${id}T00:00:00Z`, endedAt: null, durationMs: null, params: {}, metrics: loss === undefined ? {} : { "t.loss": loss }, error: null });
  const runs = [run("1", 0.5), run("2"), run("3", 0.1)];
  assert.deepEqual([...runs].sort(runOrder({ field: "metrics.t.loss", desc: false })).map((r) => r.id), ["3", "1", "2"]);
  assert.deepEqual([...runs].sort(runOrder({ field: "metrics.t.loss", desc: true })).map((r) => r.id), ["1", "3", "2"]);
});

test("redaction of secret-named keys, key/value rows and credentials in URIs", () => {
  for (const k of ["password", "db_password", "apiKey", "api_key", "authToken", "secretAccessKey", "token", "credentials"]) assert.equal(isSecretKey(k), true, k);
  for (const k of ["maxTokens", "tokenizer", "keyframes", "epochs", "passwordless_mode"]) assert.equal(isSecretKey(k), false, k);
  assert.equal(redactUri("postgres://me:pw@db:5432/koan"), "postgres://[redacted]@db:5432/koan");
  assert.equal(redactUri("https://acct.blob.core.windows.net/c?sv=2020&sig=abc"), "https://acct.blob.core.windows.net/c?[redacted]");
  assert.equal(redactUri("s3://bucket/prefix"), "s3://bucket/prefix");
  assert.deepEqual(redact({ a: { password: "x", n: 1, flag: true }, rows: [{ key: "db.password", values: ["x", null] }], uri: "redis://:pw@h" }), {
    a: { password: "[redacted]", n: 1, flag: true },
    rows: [{ key: "db.password", values: ["[redacted]", null] }],
    uri: "redis://[redacted]@h",
  });
});
