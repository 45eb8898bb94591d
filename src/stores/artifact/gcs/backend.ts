/** The `gcs` flavor's object backend: @google-cloud/storage (JSON API). @module */
import type { Readable } from "node:stream";
import type { Bucket, GetFilesOptions } from "@google-cloud/storage";
import type { Failure, ListedObject, ObjectBackend, UploadBody } from "../remote/backend.js";
import { networkCode } from "../remote/errors.js";

export class GcsBackend implements ObjectBackend {
  constructor(
    private readonly bucket: Bucket,
    private readonly resumableThreshold: number,
  ) {}

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const [m] = await this.bucket.file(key).getMetadata();
      return { size: Number(m.size ?? 0) };
    } catch (e) {
      if (this.classify(e).kind === "not-found") return undefined;
      throw e;
    }
  }

  async upload(key: string, body: UploadBody): Promise<void> {
    // Small: one multipart request (atomic). Large: a resumable session that declares the total size up front
    // (X-Upload-Content-Length, Content-Range .../N), so GCS finalises the object only when every byte arrived.
    // `ifGenerationMatch: 0` makes the write create-only (412 when the object exists).
    const size = "bytes" in body ? body.bytes.byteLength : body.size;
    const resumable = size > this.resumableThreshold;
    const options = {
      resumable,
      validation: "md5" as const,
      preconditionOpts: { ifGenerationMatch: 0 },
      metadata: { contentType: "application/octet-stream", ...(resumable ? { contentLength: size } : {}) },
    };
    if ("bytes" in body) await this.bucket.file(key).save(Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength), options);
    else await this.bucket.upload(body.path, { ...options, destination: key });
  }

  async download(key: string): Promise<Readable> {
    // Read the exact generation whose metadata says it exists (a 404 here is a clean "absent").
    const [m] = await this.bucket.file(key).getMetadata();
    const generation = m.generation === undefined ? undefined : Number(m.generation);
    const file = this.bucket.file(key, generation === undefined ? {} : { generation });
    return file.createReadStream({ validation: false, decompress: false });
  }

  async *list(prefix: string, pageSize: number): AsyncIterable<ListedObject> {
    let query: GetFilesOptions | null = { prefix, maxResults: pageSize, autoPaginate: false };
    while (query) {
      const [files, next] = (await this.bucket.getFiles(query)) as unknown as [{ name: string; metadata: { size?: string | number } }[], GetFilesOptions | null];
      for (const f of files) yield { key: f.name, size: Number(f.metadata.size ?? 0) };
      query = next && next.pageToken ? { ...next, prefix, maxResults: pageSize, autoPaginate: false } : null;
    }
  }

  async remove(key: string): Promise<void> {
    await this.bucket.file(key).delete();
  }

  async probe(prefix: string): Promise<void> {
    await this.bucket.getFiles({ prefix, maxResults: 1, autoPaginate: false });
  }

  classify(e: unknown): Failure {
    const o = (e ?? {}) as { name?: string; code?: unknown; status?: unknown; message?: string; response?: { status?: number } };
    const status = typeof o.code === "number" ? o.code : typeof o.status === "number" ? o.status : o.response?.status;
    const message = o.message ?? "";
    const net = networkCode(e);
    if (net && !status) return { kind: "unreachable", code: net };
    if (/Could not load the default credentials|Unable to detect a Project Id|Could not refresh access token|invalid_grant/i.test(message) && !status)
      return { kind: "no-credentials" };
    if (status === 404 && /bucket does not exist/i.test(message)) return { kind: "bucket-missing", status, code: "notFound" };
    if (status === 404) return { kind: "not-found", status, code: "notFound" };
    if (status === 401 || status === 403) return { kind: "denied", status };
    if (status === 412) return { kind: "exists", status, code: "conditionNotMet" };
    if (status === 400 && /bucket name|invalid bucket/i.test(message)) return { kind: "misconfigured", status };
    return { kind: "other", status };
  }

  async close(): Promise<void> {}
}
