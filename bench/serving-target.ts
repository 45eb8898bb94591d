/**
 * A server process for bench/serving.bench.ts: `--mode koan` (the Koan model server) or `--mode bare` (a bare
 * `node:http` server calling the same predict function: the limit), both serving the bundle folder given with
 * `--bundle` (the quickstart's: transform + TF.js model). `--batching on|off`. Prints
 * `{"port": N}` once listening; on SIGTERM prints `{"cpuUs": ..., "requests": ...}` (CPU time used and requests
 * answered) and exits.
 */
import { createServer } from "node:http";
import { startServer } from "../src/serving/server.js";
import { servableFromBundle, type FeatureValue } from "../src/serving/model.js";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : (args[i + 1] as string);
};
const model = await servableFromBundle(opt("--bundle", ""), { name: "penguins" });
const report = (requests: number): void => {
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuUs: cpu.user + cpu.system, requests })}\n`);
};
let answered = 0;

if (opt("--mode", "koan") === "bare") {
  // The least a V2 server can do: parse the body, make rows, predict, answer. No validation, routing or metrics.
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { inputs: { name: string; data: FeatureValue[] }[] };
      const n = body.inputs[0]?.data.length ?? 0;
      const rows: Record<string, FeatureValue>[] = [];
      for (let i = 0; i < n; i++) rows.push(Object.fromEntries(body.inputs.map((t) => [t.name, t.data[i] as FeatureValue])));
      void model.predict(rows).then((out) => {
        const text = JSON.stringify({
          model_name: model.name,
          outputs: model.signature.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: [n], data: out.flatMap((r) => r[o.name] as FeatureValue) })),
        });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
        answered++;
      });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`));
  process.once("SIGTERM", () => {
    report(answered);
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
} else {
  const server = await startServer(model, { port: 0, batching: { enabled: opt("--batching", "on") === "on" } });
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  process.once("SIGTERM", () => {
    report(server.metrics.count("v2", "/v2/models/{name}/infer", 200));
    void server.close().then(() => process.exit(0));
  });
}
