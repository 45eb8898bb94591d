/**
 * Loading Koan's copy of the Open Inference Protocol gRPC definition (`inference.proto` beside this module's
 * source) with `@grpc/proto-loader`. Both packages are imported only here, when a gRPC server or client starts.
 * @module
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type * as Grpc from "@grpc/grpc-js";
import { KoanError } from "../../core/errors.js";
import { loadCommonJs } from "../../core/commonjs.js";

/** Where `inference.proto` is: next to the compiled module when copied there, else in the package's `src/`. */
export function inferenceProtoPath(): string {
  const candidates = [new URL("./inference.proto", import.meta.url), new URL("../../../../src/serving/grpc/inference.proto", import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new KoanError("INTERNAL", `the gRPC definition inference.proto is missing (looked in ${candidates.join(", ")})`, { hint: "reinstall Koan" });
  return found;
}

/** The gRPC library and the `inference.GRPCInferenceService` service constructor. */
export async function loadInferenceService(): Promise<{ grpc: typeof Grpc; Service: Grpc.ServiceClientConstructor }> {
  const grpc = await loadCommonJs<typeof Grpc>("@grpc/grpc-js");
  const loader = await loadCommonJs<typeof import("@grpc/proto-loader")>("@grpc/proto-loader");
  const definition = await loader.load(inferenceProtoPath(), { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { inference: { GRPCInferenceService: Grpc.ServiceClientConstructor } };
  return { grpc, Service: pkg.inference.GRPCInferenceService };
}
