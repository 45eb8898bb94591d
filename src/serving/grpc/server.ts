/**
 * The Open Inference Protocol gRPC front end (`inference.GRPCInferenceService`) on its own port, sharing the
 * hosted models, validation, micro-batching and metrics with the REST front end. Refused requests answer with
 * a gRPC status: INVALID_ARGUMENT (bad input), NOT_FOUND (unknown model), UNAVAILABLE (not ready), INTERNAL.
 * @module
 */
import type * as Grpc from "@grpc/grpc-js";
import type { ModelHost } from "../host.js";
import type { ServerMetrics } from "../metrics.js";
import { RequestError, GRPC_STATUS } from "../request-error.js";
import { modelMetadata, serverMetadata } from "../protocols/v2.js";
import { grpcInputs, grpcOutput, type GrpcInferRequest } from "./codec.js";
import { loadInferenceService } from "./proto.js";

type Unary = (call: Grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: Grpc.sendUnaryData<unknown>) => void;

/** Start the gRPC server; resolves with its port and a graceful `close`. */
export async function startGrpc(
  host: ModelHost,
  metrics: ServerMetrics,
  bindHost: string,
  port: number,
  draining: () => boolean,
  onError: (e: unknown) => void,
): Promise<{ port: number; close: (deadlineMs: number) => Promise<void>; inFlight: () => number }> {
  const { grpc, Service } = await loadInferenceService();
  let inFlight = 0;
  const wrap = (method: string, fn: (req: Record<string, unknown>) => Promise<unknown> | unknown): Unary => (call, callback) => {
    const started = process.hrtime.bigint();
    metrics.started();
    inFlight++;
    const done = (code: number, err: Partial<Grpc.StatusObject> | null, value?: unknown): void => {
      inFlight--;
      metrics.finished("grpc", `/inference.GRPCInferenceService/${method}`, code, Number(process.hrtime.bigint() - started) / 1e9);
      callback(err, value);
    };
    const fail = (e: unknown): void => {
      if (e instanceof RequestError) done(e.grpcCode, { code: e.grpcCode, details: e.message });
      else {
        onError(e);
        done(GRPC_STATUS.INTERNAL, { code: GRPC_STATUS.INTERNAL, details: `internal error: ${e instanceof Error ? e.message : String(e)}` });
      }
    };
    try {
      if (draining() && method === "ModelInfer") throw new RequestError(503, "the server is shutting down");
      Promise.resolve(fn(call.request)).then((v) => done(GRPC_STATUS.OK, null, v), fail);
    } catch (e) {
      fail(e);
    }
  };
  const tensorMeta = (t: { name: string; datatype: string; shape: number[] }) => t;
  const handlers: Record<string, Unary> = {
    ServerLive: wrap("ServerLive", () => ({ live: true })),
    ServerReady: wrap("ServerReady", () => ({ ready: host.ready })),
    ModelReady: wrap("ModelReady", (r) => {
      host.entry(String(r.name), (r.version as string) || undefined);
      return { ready: host.ready };
    }),
    ServerMetadata: wrap("ServerMetadata", () => serverMetadata()),
    ModelMetadata: wrap("ModelMetadata", (r) => {
      const m = modelMetadata(host.entry(String(r.name), (r.version as string) || undefined).model) as { inputs: { name: string; datatype: string; shape: number[] }[]; outputs: { name: string; datatype: string; shape: number[] }[] };
      return { ...m, inputs: m.inputs.map(tensorMeta), outputs: m.outputs.map(tensorMeta), properties: {} };
    }),
    ModelInfer: wrap("ModelInfer", async (r) => {
      const req = r as unknown as GrpcInferRequest;
      const version = req.model_version || undefined;
      host.entry(req.model_name, version);
      const requested = req.outputs?.length ? req.outputs.map((o) => o.name) : undefined;
      const { model, outputs } = await host.infer(req.model_name, version, grpcInputs(req), requested);
      return { model_name: model.name, model_version: model.version, id: req.id ?? "", parameters: {}, outputs: outputs.map(grpcOutput), raw_output_contents: [] };
    }),
  };
  const server = new grpc.Server({ "grpc.max_receive_message_length": 64 << 20 });
  server.addService(Service.service, handlers as unknown as Grpc.UntypedServiceImplementation);
  const address = bindHost.includes(":") ? `[${bindHost}]:${port}` : `${bindHost}:${port}`;
  const bound = await new Promise<number>((resolve, reject) => server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return {
    port: bound,
    inFlight: () => inFlight,
    close: (deadlineMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), deadlineMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
