/** Helpers of the serving tests: JSON over fetch, raw HTTP requests. */
import { request } from "node:http";

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

/** GET or POST JSON; the answer's body parsed when it is JSON. */
export async function call(url: string, body?: unknown, method?: string): Promise<Answer> {
  const res = await fetch(url, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* text answers (metrics) */
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** POST a body in chunks without Content-Length (chunked transfer encoding). */
export function postChunked(url: string, chunks: readonly Buffer[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", (e) => ((e as NodeJS.ErrnoException).code === "ECONNRESET" || (e as NodeJS.ErrnoException).code === "EPIPE" ? undefined : reject(e)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}
