/** The `azure` flavor's object backend: @azure/storage-blob block blobs. @module */
import type { Readable } from "node:stream";
import type { BlockBlobUploadOptions, ContainerClient } from "@azure/storage-blob";
import type { Failure, ListedObject, ObjectBackend, UploadBody } from "../remote/backend.js";
import { networkCode } from "../remote/errors.js";

const NO_CREDENTIALS = new Set(["CredentialUnavailableError", "AuthenticationRequiredError", "AggregateAuthenticationError"]);
const MISCONFIGURED = new Set(["InvalidResourceName", "OutOfRangeInput", "InvalidUri", "UnsupportedHttpVerb"]);

export interface AzureUploadTuning {
  readonly singleShot: number;
  readonly blockSize: number;
  readonly concurrency: number;
}

export class AzureBackend implements ObjectBackend {
  constructor(
    private readonly container: ContainerClient,
    private readonly tuning: AzureUploadTuning,
  ) {}

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const p = await this.container.getBlockBlobClient(key).getProperties();
      return { size: p.contentLength ?? 0 };
    } catch (e) {
      if (this.classify(e).kind === "not-found") return undefined;
      throw e;
    }
  }

  async upload(key: string, body: UploadBody): Promise<void> {
    // Up to `singleShot`: one Put Blob (atomic). Above: Put Block per block (invisible, uncommitted) and one Put
    // Block List at the end, which is what makes the blob exist. `ifNoneMatch: *` makes both create-only.
    const blob = this.container.getBlockBlobClient(key);
    const options: BlockBlobUploadOptions & { blockSize: number; concurrency: number; maxSingleShotSize: number } = {
      blockSize: this.tuning.blockSize,
      concurrency: this.tuning.concurrency,
      maxSingleShotSize: this.tuning.singleShot,
      conditions: { ifNoneMatch: "*" },
      blobHTTPHeaders: { blobContentType: "application/octet-stream" },
    };
    if ("bytes" in body) await blob.uploadData(body.bytes, options);
    else await blob.uploadFile(body.path, options);
  }

  async download(key: string): Promise<Readable> {
    const r = await this.container.getBlockBlobClient(key).download(0);
    return r.readableStreamBody as Readable;
  }

  async *list(prefix: string, pageSize: number): AsyncIterable<ListedObject> {
    for await (const page of this.container.listBlobsFlat({ prefix }).byPage({ maxPageSize: pageSize })) {
      for (const b of page.segment.blobItems) yield { key: b.name, size: b.properties.contentLength ?? 0 };
    }
  }

  async remove(key: string): Promise<void> {
    await this.container.getBlockBlobClient(key).delete();
  }

  async probe(prefix: string): Promise<void> {
    await this.container.listBlobsFlat({ prefix }).byPage({ maxPageSize: 1 }).next();
  }

  classify(e: unknown): Failure {
    const o = (e ?? {}) as { name?: string; statusCode?: number; code?: string; details?: { errorCode?: string } };
    const status = o.statusCode;
    const code = o.details?.errorCode ?? o.code;
    const net = networkCode(e);
    if (net && !status) return { kind: "unreachable", code: net };
    if (o.name && NO_CREDENTIALS.has(o.name)) return { kind: "no-credentials", code: o.name };
    if (o.name === "ClientAuthenticationError") return { kind: "denied", code: o.name };
    if (/non-TLS|non-https/i.test((e as { message?: string }).message ?? "")) return { kind: "misconfigured", code: "HttpsRequired" };
    if (code === "ContainerNotFound") return { kind: "bucket-missing", status, code };
    if (code === "BlobNotFound" || status === 404) return { kind: "not-found", status, code };
    if (status === 401 || status === 403) return { kind: "denied", status, code };
    if (code === "BlobAlreadyExists" || code === "ConditionNotMet" || status === 412) return { kind: "exists", status, code };
    if (code && MISCONFIGURED.has(code)) return { kind: "misconfigured", status, code };
    if (code === "REQUEST_SEND_ERROR") return { kind: "unreachable", code };
    return { kind: "other", status, code };
  }

  async close(): Promise<void> {}
}
