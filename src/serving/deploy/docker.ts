/**
 * The `docker` deployer: a build context for an image running the Koan model server with the bundle inside —
 * a Dockerfile on a Node base image, `package.json` depending on Koan, a minimal `server.mjs` entry point, and
 * the bundle under `bundle/` — built with `docker build` where a Docker daemon answers. The image honours
 * Vertex AI's `AIP_*` variables, so the same image runs locally, on Kubernetes and on Vertex AI.
 * @module
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { KoanError } from "../../core/errors.js";
import { KOAN_VERSION } from "../../version.js";
import { isEmptyDir } from "../resolve.js";
import { dnsName, GRPC_PORT, HTTP_PORT, IMAGE_BUNDLE_DIR, imageFor } from "./container.js";
import type { Deployer, DeployContext, DeploymentRecord, DeployResult } from "./types.js";

/** Config of the Docker deployer. */
export interface DockerConfig {
  /** Build-context folder (default `.koan/deployments/<id>/docker`); must be empty. */
  out?: string | undefined;
  baseImage: string;
  /** Image tag (default `koan-<name>:<version>`). */
  tag?: string | undefined;
  /** The npm spec of Koan installed in the image (default `koan@<this version>`; e.g. `file:koan.tgz`). */
  koanPackage?: string | undefined;
  /** Build the image: `auto` when a Docker daemon answers, `always`, or `never`. */
  build: "auto" | "always" | "never";
}

/** The files of the build context (the bundle is copied beside them, into `bundle/`). */
export function dockerContext(ctx: Pick<DeployContext, "name" | "version">, config: DockerConfig): Record<string, string> {
  const spec = config.koanPackage ?? `koan@${KOAN_VERSION}`;
  const at = spec.lastIndexOf("@");
  const [pkg, range] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : spec.startsWith("file:") ? ["koan", spec] : [spec, "*"];
  return {
    Dockerfile: [
      `# Koan model server for ${ctx.name}:${ctx.version}`,
      `FROM ${config.baseImage}`,
      "ENV NODE_ENV=production",
      "WORKDIR /app",
      "COPY package.json ./",
      ...(spec.includes("file:") ? [`COPY ${spec.slice(spec.indexOf("file:") + 5)} ./`] : []),
      "RUN npm install --omit=dev --omit=optional --no-audit --no-fund",
      "COPY server.mjs ./",
      `COPY bundle ${IMAGE_BUNDLE_DIR}`,
      `ENV KOAN_BUNDLE=${IMAGE_BUNDLE_DIR} KOAN_HOST=0.0.0.0 PORT=${HTTP_PORT} KOAN_GRPC_PORT=${GRPC_PORT}`,
      `EXPOSE ${HTTP_PORT} ${GRPC_PORT}`,
      "USER node",
      'CMD ["node", "server.mjs"]',
      "",
    ].join("\n"),
    "package.json": `${JSON.stringify({ name: `koan-model-${dnsName(ctx.name)}`, version: "1.0.0", private: true, type: "module", dependencies: { [pkg]: range } }, null, 2)}\n`,
    "server.mjs": [
      "// Koan model server entry point: serves the bundle in KOAN_BUNDLE until SIGTERM, then drains.",
      "// Ports: PORT (REST, default 8080; AIP_HTTP_PORT wins on Vertex AI), KOAN_GRPC_PORT (gRPC; 0 = none).",
      "// The model answers as KOAN_MODEL_NAME (default: the deployment's name), version KOAN_MODEL_VERSION.",
      'import { serveUntilSignal, servableFromBundle } from "koan";',
      "",
      `const model = await servableFromBundle(process.env.KOAN_BUNDLE ?? "/opt/koan/bundle", { name: process.env.KOAN_MODEL_NAME ?? ${JSON.stringify(dnsName(ctx.name))}, version: process.env.KOAN_MODEL_VERSION ?? ${JSON.stringify(ctx.version)} });`,
      'const grpcPort = Number(process.env.KOAN_GRPC_PORT ?? "8081");',
      "await serveUntilSignal(model, {",
      '  host: process.env.KOAN_HOST ?? "0.0.0.0",',
      '  ...(process.env.AIP_HTTP_PORT ? {} : { port: Number(process.env.PORT ?? "8080") }),',
      "  ...(grpcPort > 0 ? { grpcPort } : {}),",
      "});",
      "",
    ].join("\n"),
    ".dockerignore": "**/.DS_Store\n",
  };
}

/** Run a command, relaying its output lines to `log`; resolves to its exit code (-1 when it cannot start). */
export function run(cmd: string, args: string[], log?: (line: string) => void, timeoutMs = 0): Promise<number> {
  return new Promise((resolveP) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const timer = timeoutMs ? setTimeout(() => child.kill("SIGKILL"), timeoutMs) : undefined;
    const relay = (d: Buffer): void => {
      if (log) for (const line of d.toString().split("\n")) if (line.trim()) log(line);
    };
    child.stdout.on("data", relay);
    child.stderr.on("data", relay);
    child.on("error", () => resolveP(-1));
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolveP(code ?? -1);
    });
  });
}

/** Whether a Docker daemon answers (`docker info`). */
export async function dockerAvailable(): Promise<boolean> {
  return (await run("docker", ["info", "--format", "{{.ServerVersion}}"], undefined, 10_000)) === 0;
}

/** Create the Docker deployer. */
export function createDockerDeployer(config: DockerConfig): Deployer {
  return {
    async deploy(ctx): Promise<DeployResult> {
      const tag = config.tag ?? imageFor(dnsName(ctx.name), ctx.version, undefined);
      const files = dockerContext(ctx, config);
      const dir = config.out ? resolve(ctx.projectDir, config.out) : join(ctx.projectDir, ".koan", "deployments", ctx.id, "docker");
      if (ctx.dryRun) return { endpoint: null, state: { dir, tag }, output: Object.entries(files).map(([f, t]) => `--- ${f}\n${t}`).join("\n") };
      if (!(await isEmptyDir(dir))) throw new KoanError("USAGE", `${dir} is not empty`, { hint: "give an empty or new folder with --out" });
      await mkdir(dir, { recursive: true });
      for (const [f, t] of Object.entries(files)) await writeFile(join(dir, f), t);
      await ctx.bundle.exportTo(join(dir, "bundle"));
      let built = false;
      const wantBuild = config.build === "always" || (config.build === "auto" && (await dockerAvailable()));
      if (wantBuild) {
        ctx.log(`docker build -t ${tag} ${dir}`);
        const code = await run("docker", ["build", "-t", tag, dir], ctx.log);
        if (code !== 0) throw new KoanError("INTERNAL", `docker build failed (exit ${code})`, { hint: `the build context is in ${dir}` });
        built = true;
      } else {
        ctx.log(`no Docker daemon here: build the image with: docker build -t ${tag} ${dir}`);
      }
      return {
        endpoint: null,
        state: { dir, tag, built },
        output: `${built ? `built ${tag}` : `build context written to ${dir}`}\npush it with: docker tag ${tag} <registry>/${tag} && docker push <registry>/${tag}`,
      };
    },
    async status(record: DeploymentRecord) {
      return { state: "written", healthy: null, detail: record.state.built ? `image ${String(record.state.tag)} built` : `build context ${String(record.state.dir)} (not built)` };
    },
    async undeploy(record, log) {
      log(`nothing runs; the build context stays at ${String(record.state.dir)}${record.state.built ? ` (remove the image with: docker rmi ${String(record.state.tag)})` : ""}`);
    },
  };
}
