/**
 * What every container target shares: the image, the server's command line, ports, probes and Prometheus
 * annotations, so Seldon Core, KServe, Vertex AI and Docker run the same server the same way.
 * @module
 */
import { KOAN_VERSION } from "../../version.js";

/** REST and gRPC ports inside the container. */
export const HTTP_PORT = 8080;
export const GRPC_PORT = 8081;
/** Where a storage initializer puts the bundle; where the Docker image carries it. */
export const MODEL_DIR = "/mnt/models";
export const IMAGE_BUNDLE_DIR = "/opt/koan/bundle";

/** The image a deployment runs: the given one, or the one `koan deploy --to docker` tags by default. */
export function imageFor(name: string, version: string, image: string | undefined): string {
  return image ?? `koan-${name}:${version}`;
}

/** The server's arguments in the container (the image's entry point runs `node server.mjs`). */
export function serverEnv(bundleDir: string): { name: string; value: string }[] {
  return [
    { name: "KOAN_BUNDLE", value: bundleDir },
    { name: "KOAN_HOST", value: "0.0.0.0" },
  ];
}

/** A DNS-1123 label from any name (lower case, digits, `-`, at most 63 characters). */
export function dnsName(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/, "");
  return s || "model";
}

/** Labels put on every resource Koan creates. */
export function koanLabels(id: string): Record<string, string> {
  return { "app.kubernetes.io/managed-by": "koan", "koan.dev/deployment": id, "koan.dev/version": KOAN_VERSION.replace(/[^A-Za-z0-9._-]/g, "-") };
}

/** An HTTP readiness/liveness probe on a V2 health route. */
export function probe(path: string): Record<string, unknown> {
  return { httpGet: { path, port: HTTP_PORT }, initialDelaySeconds: 5, periodSeconds: 10 };
}
