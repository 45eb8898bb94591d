/** The `s3` flavor's object backend: @aws-sdk/client-s3, with @aws-sdk/lib-storage for multipart uploads. @module */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Failure, ListedObject, ObjectBackend, UploadBody } from "../remote/backend.js";
import { networkCode } from "../remote/errors.js";

const DENIED = new Set(["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled", "AccountProblem", "Forbidden"]);
const NO_CREDENTIALS = new Set(["CredentialsProviderError", "ProviderError"]);
const MISCONFIGURED = new Set(["PermanentRedirect", "AuthorizationHeaderMalformed", "InvalidBucketName", "IllegalLocationConstraintException", "InvalidEndpoint"]);

export class S3Backend implements ObjectBackend {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly partSize: number,
    private readonly queueSize: number,
  ) {}

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: r.ContentLength ?? 0 };
    } catch (e) {
      if (this.classify(e).kind === "not-found") return undefined;
      throw e;
    }
  }

  async upload(key: string, body: UploadBody): Promise<void> {
    // One PUT up to one part; above, a multipart upload whose CompleteMultipartUpload is the last request (and
    // which is aborted on failure), so no partial object ever exists under `key`. Memory: partSize x queueSize.
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: "bytes" in body ? body.bytes : createReadStream(body.path, { highWaterMark: 1 << 20 }),
        ContentType: "application/octet-stream",
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async download(key: string): Promise<Readable> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return r.Body as Readable;
  }

  async *list(prefix: string, pageSize: number): AsyncIterable<ListedObject> {
    let token: string | undefined;
    do {
      const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: pageSize, ContinuationToken: token }));
      for (const o of r.Contents ?? []) if (o.Key) yield { key: o.Key, size: o.Size ?? 0 };
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async probe(prefix: string): Promise<void> {
    await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1 }));
  }

  classify(e: unknown): Failure {
    const o = (e ?? {}) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = o.$metadata?.httpStatusCode;
    const name = o.name;
    const net = networkCode(e);
    if (net && !status) return { kind: "unreachable", code: net };
    if (name && NO_CREDENTIALS.has(name)) return { kind: "no-credentials", code: name };
    if (/Region is missing/i.test(o.message ?? "")) return { kind: "misconfigured", code: "RegionMissing" };
    if (name === "NoSuchBucket") return { kind: "bucket-missing", status, code: name };
    if (name === "NoSuchKey" || name === "NotFound" || status === 404) return { kind: "not-found", status, code: name };
    if ((name && MISCONFIGURED.has(name)) || status === 301) return { kind: "misconfigured", status, code: name };
    if (status === 401 || status === 403 || (name && DENIED.has(name))) return { kind: "denied", status, code: name };
    if (status === 412 || name === "PreconditionFailed") return { kind: "exists", status, code: name };
    return { kind: "other", status, code: name };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
