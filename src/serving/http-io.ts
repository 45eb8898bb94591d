/**
 * HTTP plumbing of the model server on `node:http`: reading a JSON body under a size limit (413 before reading
 * when Content-Length is too large, and as soon as the stream passes the limit), and writing JSON answers.
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { RequestError } from "./request-error.js";

/** Read the whole body, refusing more than `limit` bytes with a 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new RequestError(413, `the request body is ${declared} bytes; the limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        req.pause();
        reject(new RequestError(413, `the request body is over the limit of ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on("error", (e) => {
      if (done) return;
      done = true;
      reject(new RequestError(400, `reading the request failed: ${e.message}`));
    });
    req.on("aborted", () => {
      if (done) return;
      done = true;
      reject(new RequestError(400, "the client aborted the request"));
    });
  });
}

/** Parse a body as JSON (a 400 naming the problem when it is not). */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new RequestError(400, "the request body is empty; send a JSON object");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new RequestError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Write a response with a JSON, text or raw (Buffer) body. */
export function send(res: ServerResponse, status: number, body: unknown, options: { close?: boolean; contentType?: string; headers?: Record<string, string> } = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = Buffer.isBuffer(body) ? body : typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string | number> = {
    "content-type": options.contentType ?? "application/json",
    "content-length": Buffer.byteLength(text),
    ...options.headers,
  };
  if (options.close) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(text);
}
