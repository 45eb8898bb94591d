/**
 * A recording fake of the Google Cloud Storage JSON API — the subset the `gcs` flavor calls — on 127.0.0.1.
 * There is no installable GCS emulator here, so this is what the flavor's tests run against: it records every
 * request (method, path, query, the headers that matter) so tests can check request construction, keeps objects
 * in memory with generations, honours `ifGenerationMatch`, implements multipart and resumable uploads (an object
 * exists only once its upload is finalised), pages listings, and answers errors in GCS's JSON error format. It can
 * be told to refuse every request (e.g. 403) to test error handling. It is not GCS: it checks no credentials.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly bodySize: number;
}

interface StoredObject {
  data: Buffer;
  generation: number;
}

interface Session {
  bucket: string;
  name: string;
  declaredSize?: number;
  ifGenerationMatch?: number;
  chunks: Buffer[];
  received: number;
}

const HEADERS = ["content-type", "content-range", "content-length", "x-upload-content-length", "authorization", "range"];

export class FakeGcs {
  readonly requests: RecordedRequest[] = [];
  readonly buckets = new Set<string>();
  /** Answer a request with this status and message instead of serving it (to test error handling). */
  refuse: ((r: RecordedRequest) => { status: number; message: string } | undefined) | undefined;
  /** Runs just before an upload is finalised (e.g. to let another writer win a race). */
  beforeFinalize: ((bucket: string, name: string) => void) | undefined;
  private readonly objects = new Map<string, StoredObject>();
  private readonly sessions = new Map<string, Session>();
  private server: Server | undefined;
  private nextGeneration = 1;
  endpoint = "";

  constructor(buckets: readonly string[] = ["koan"]) {
    for (const b of buckets) this.buckets.add(b);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => this.error(res, 500, String(e)));
    });
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  }

  /** Object names in a bucket (finalised objects only). */
  names(bucket: string): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(`${bucket}/`)).map((k) => k.slice(bucket.length + 1)).sort();
  }

  /** Open resumable sessions (uploads started but not finalised). */
  openSessions(): number {
    return this.sessions.size;
  }

  /** Write an object directly (bypassing the client), e.g. to corrupt one. */
  write(bucket: string, name: string, data: Buffer): void {
    this.objects.set(`${bucket}/${name}`, { data, generation: this.nextGeneration++ });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams);
    const headers = Object.fromEntries(HEADERS.map((h) => [h, req.headers[h] as string | undefined]));
    const rec = { method: req.method ?? "", path: url.pathname, query, headers, bodySize: body.length };
    this.requests.push(rec);
    const refused = this.refuse?.(rec);
    if (refused) return this.error(res, refused.status, refused.message);

    let m: RegExpExecArray | null;
    if ((m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname))) return this.upload(decodeURIComponent(m[1] as string), req, res, query, body);
    if ((m = /^\/(?:download\/)?storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname))) {
      const bucket = decodeURIComponent(m[1] as string);
      const name = decodeURIComponent(m[2] as string);
      if (!this.buckets.has(bucket)) return this.noBucket(res);
      const key = `${bucket}/${name}`;
      const o = this.objects.get(key);
      if (!o || (query.generation && Number(query.generation) !== o.generation)) return this.error(res, 404, `No such object: ${bucket}/${name}`);
      if (req.method === "DELETE") {
        this.objects.delete(key);
        res.statusCode = 204;
        res.end();
        return;
      }
      if (query.alt === "media") {
        res.setHeader("content-type", "application/octet-stream");
        res.setHeader("content-length", o.data.length);
        res.end(o.data);
        return;
      }
      return this.json(res, 200, this.meta(bucket, name, o));
    }
    if ((m = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname))) {
      const bucket = decodeURIComponent(m[1] as string);
      if (!this.buckets.has(bucket)) return this.noBucket(res);
      const prefix = query.prefix ?? "";
      const all = this.names(bucket).filter((n) => n.startsWith(prefix));
      const start = query.pageToken ? Number(query.pageToken) : 0;
      const size = Math.min(Number(query.maxResults ?? 1000), 1000);
      const page = all.slice(start, start + size);
      const next = start + size < all.length ? String(start + size) : undefined;
      return this.json(res, 200, {
        kind: "storage#objects",
        items: page.map((n) => this.meta(bucket, n, this.objects.get(`${bucket}/${n}`) as StoredObject)),
        ...(next ? { nextPageToken: next } : {}),
      });
    }
    if ((m = /^\/storage\/v1\/b\/([^/]+)$/.exec(url.pathname))) {
      const bucket = decodeURIComponent(m[1] as string);
      if (!this.buckets.has(bucket)) return this.noBucket(res);
      return this.json(res, 200, { kind: "storage#bucket", name: bucket, id: bucket });
    }
    return this.error(res, 404, `Not Found: ${req.method} ${url.pathname}`);
  }

  private upload(bucket: string, req: IncomingMessage, res: ServerResponse, query: Record<string, string>, body: Buffer): void {
    if (!this.buckets.has(bucket)) return this.noBucket(res);
    const ifGen = query.ifGenerationMatch === undefined ? undefined : Number(query.ifGenerationMatch);
    if (query.uploadType === "multipart") {
      const boundary = /boundary=([^;]+)/.exec(String(req.headers["content-type"]))?.[1]?.replace(/"/g, "");
      if (!boundary) return this.error(res, 400, "multipart upload without a boundary");
      const parts = splitMultipart(body, boundary);
      const meta = JSON.parse((parts[0] ?? Buffer.alloc(0)).toString("utf8")) as { name?: string };
      const name = meta.name ?? query.name;
      if (!name || !parts[1]) return this.error(res, 400, "multipart upload needs metadata and media");
      return this.finalize(res, bucket, name, parts[1], ifGen);
    }
    if (query.uploadType === "resumable" && query.upload_id) {
      const s = this.sessions.get(query.upload_id);
      if (!s) return this.error(res, 404, "No such upload session");
      const range = /^bytes (\*|(\d+)-(\d+|\*))\/(\d+|\*)$/.exec(String(req.headers["content-range"] ?? ""));
      if (!range) return this.error(res, 400, `bad Content-Range ${req.headers["content-range"]}`);
      if (body.length) {
        s.chunks.push(body);
        s.received += body.length;
      }
      const total = range[4] === "*" ? s.declaredSize : Number(range[4]);
      if (total !== undefined && s.declaredSize !== undefined && total !== s.declaredSize) return this.error(res, 400, "size differs from X-Upload-Content-Length");
      if (total !== undefined && s.received === total) {
        this.sessions.delete(query.upload_id);
        return this.finalize(res, s.bucket, s.name, Buffer.concat(s.chunks), s.ifGenerationMatch);
      }
      if (total !== undefined && s.received > total) return this.error(res, 400, "more bytes than declared");
      res.statusCode = 308;
      if (s.received > 0) res.setHeader("range", `bytes=0-${s.received - 1}`);
      res.end();
      return;
    }
    if (query.uploadType === "resumable") {
      const meta = body.length ? (JSON.parse(body.toString("utf8")) as { name?: string }) : {};
      const name = query.name ?? meta.name;
      if (!name) return this.error(res, 400, "resumable upload without a name");
      const id = String(this.sessions.size + 1 + this.requests.length);
      const declared = req.headers["x-upload-content-length"];
      this.sessions.set(id, { bucket, name, chunks: [], received: 0, ...(declared ? { declaredSize: Number(declared) } : {}), ...(ifGen !== undefined ? { ifGenerationMatch: ifGen } : {}) });
      res.setHeader("location", `${this.endpoint}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&upload_id=${id}`);
      res.end();
      return;
    }
    return this.error(res, 400, `unsupported uploadType ${query.uploadType}`);
  }

  private finalize(res: ServerResponse, bucket: string, name: string, data: Buffer, ifGen: number | undefined): void {
    this.beforeFinalize?.(bucket, name);
    const key = `${bucket}/${name}`;
    const existing = this.objects.get(key);
    if (ifGen !== undefined && (existing?.generation ?? 0) !== ifGen) return this.error(res, 412, "At least one of the pre-conditions you specified did not hold.");
    const o = { data, generation: this.nextGeneration++ };
    this.objects.set(key, o);
    this.json(res, 200, this.meta(bucket, name, o));
  }

  private meta(bucket: string, name: string, o: StoredObject): Record<string, string> {
    return {
      kind: "storage#object",
      id: `${bucket}/${name}/${o.generation}`,
      bucket,
      name,
      generation: String(o.generation),
      metageneration: "1",
      size: String(o.data.length),
      md5Hash: createHash("md5").update(o.data).digest("base64"),
      contentType: "application/octet-stream",
    };
  }

  private noBucket(res: ServerResponse): void {
    this.error(res, 404, "The specified bucket does not exist.");
  }

  private json(res: ServerResponse, status: number, value: unknown): void {
    res.statusCode = status;
    res.setHeader("content-type", "application/json; charset=UTF-8");
    res.end(JSON.stringify(value));
  }

  private error(res: ServerResponse, status: number, message: string): void {
    const reason = status === 404 ? "notFound" : status === 403 ? "forbidden" : status === 401 ? "required" : status === 412 ? "conditionNotMet" : "invalid";
    this.json(res, status, { error: { code: status, message, errors: [{ message, domain: "global", reason }] } });
  }
}

/** The parts of a multipart/related body (headers stripped). */
function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf("\r\n\r\n");
    let content = part.subarray(headerEnd + 4);
    if (content.subarray(-2).toString() === "\r\n") content = content.subarray(0, -2);
    parts.push(content);
    at = next;
  }
  return parts;
}
