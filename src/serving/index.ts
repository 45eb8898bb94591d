/**
 * Serving: the model server (Open Inference Protocol V2 REST and gRPC, TF Serving REST, Vertex AI routes,
 * micro-batching, Prometheus metrics, graceful shutdown), deployers (local, docker, seldon, kserve, vertex —
 * `deployer` flavors), and batch inference. Nothing heavy loads on import: gRPC, the Kubernetes client and
 * Google auth are imported when used.
 * @module
 */
export { servableFromBundle, checkServable } from "./model.js";
export type { ServableModel, Signature, TensorSpec, Datatype, WireDatatype, FeatureValue } from "./model.js";
export { startServer } from "./server.js";
export type { ServerOptions, ModelServer } from "./server.js";
export { serveUntilSignal } from "./serve.js";
export type { ServeOptions } from "./serve.js";
export { MicroBatcher } from "./batcher.js";
export type { BatchingOptions } from "./batcher.js";
export { ServerMetrics } from "./metrics.js";
export { RequestError } from "./request-error.js";
export { loadInferenceService, inferenceProtoPath } from "./grpc/proto.js";
export { deploy, deploymentsWithStatus, undeploy, deployerFor } from "./deploy/deploy.js";
export type { DeployOptions } from "./deploy/deploy.js";
export type { Deployer, DeployContext, DeployResult, DeploymentRecord, DeploymentStatus, BundleRef } from "./deploy/types.js";
export { listDeployments, findDeployment } from "./deploy/records.js";
export { blessingOf, checkBlessing } from "./deploy/blessing.js";
export type { Blessing } from "./deploy/blessing.js";
export { resolveBundleArtifact, loadServable, BUNDLE_KINDS } from "./resolve.js";
export { scoreDataset } from "./batch/score.js";
export type { ScoreOptions } from "./batch/score.js";
export { batchPredict, batchPredictStep, batchPredictParams } from "./batch/step.js";
