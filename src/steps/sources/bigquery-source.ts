/**
 * `bigquerySource`: the result of a BigQuery (standard SQL) query as a dataset, through the official client
 * (`@google-cloud/bigquery`, an optional dependency imported only when the step runs). Results are read page by
 * page (`jobs.query`, then `jobs.getQueryResults` with page tokens), so memory stays bounded.
 *
 * Versioning as for PostgreSQL: the fingerprint is the query plus `version` and/or the result of
 * `checksumQuery` (e.g. `SELECT max(_PARTITIONTIME) FROM t` or a table's `last_modified_time`); with neither the
 * query runs on every pipeline run.
 *
 * Credentials: Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud, or the metadata
 * server), never parameters. `apiEndpoint` points the client elsewhere (an emulator, or the recorded-response
 * server of Koan's tests) and `auth: "none"` sends no credentials to it.
 *
 * @example
 * ```ts
 * const { dataset } = bigquerySource(undefined, {
 *   params: { projectId: "my-project", query: "SELECT * FROM `shop.orders`", checksumQuery: "SELECT count(*), max(updated) FROM `shop.orders`" },
 * });
 * ```
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { KoanError, messageOf } from "../../core/errors.js";
import { hashJson, type JsonValue } from "../../core/hash.js";
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/type.js";
import { DatasetWriter } from "../../data/dataset/writer.js";
import type { Row, RowValue } from "../../data/example/rows.js";
import { bqKind, bqValue, type BqField } from "./bigquery-values.js";
import { loadCommonJs } from "../../core/commonjs.js";

export const bigquerySourceParams = z
  .object({
    query: z.string().min(1),
    projectId: z.string().min(1),
    location: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
    checksumQuery: z.string().min(1).optional(),
    /** Base URL of the API (default: BigQuery itself). */
    apiEndpoint: z.string().url().optional(),
    /** `default`: Application Default Credentials; `none`: no credentials (emulators, tests). */
    auth: z.enum(["default", "none"]).default("default"),
    /** Rows per page. */
    pageRows: z.number().int().min(1).max(100_000).default(10_000),
    /** Retries of failed API calls (the client's own retry logic). */
    maxRetries: z.number().int().min(0).max(10).default(3),
    split: z.string().regex(/^[A-Za-z0-9_-]+$/).default("all"),
    shards: z.number().int().min(1).max(4096).default(1),
  })
  .strict();

export type BigquerySourceParams = z.input<typeof bigquerySourceParams>;
type Params = z.output<typeof bigquerySourceParams>;

/** The part of the client this step uses. */
interface BqJob {
  getQueryResults(options: Record<string, unknown>): Promise<[Record<string, unknown>[], Record<string, unknown> | null, BqResponse]>;
}
interface BqResponse {
  schema?: { fields?: BqField[] };
  totalRows?: string;
  jobReference?: { jobId?: string };
}
interface BqClient {
  query(query: Record<string, unknown>, options: Record<string, unknown>): Promise<[Record<string, unknown>[], (Record<string, unknown> & { job?: BqJob }) | null, BqResponse]>;
}

function where(p: Params): string {
  return `BigQuery ${p.apiEndpoint ?? "https://bigquery.googleapis.com"} (project ${p.projectId}${p.location ? `, location ${p.location}` : ""})`;
}

async function client(p: Params): Promise<BqClient> {
  let mod: typeof import("@google-cloud/bigquery");
  try {
    mod = await loadCommonJs<typeof import("@google-cloud/bigquery")>("@google-cloud/bigquery");
  } catch (e) {
    throw new KoanError("CONFIG_INVALID", `the BigQuery source needs the package @google-cloud/bigquery: ${messageOf(e)}`, { hint: "npm install @google-cloud/bigquery" });
  }
  const noAuth = { getRequestHeaders: async () => new Headers() };
  return new mod.BigQuery({
    projectId: p.projectId,
    ...(p.location ? { location: p.location } : {}),
    ...(p.apiEndpoint ? { apiEndpoint: p.apiEndpoint } : {}),
    ...(p.auth === "none" ? { authClient: noAuth as never } : {}),
    maxRetries: p.maxRetries,
    autoRetry: p.maxRetries > 0,
  }) as unknown as BqClient;
}

/** An API or network failure as a KoanError naming the endpoint and project (never credentials). */
function apiError(e: unknown, p: Params, what: string): KoanError {
  if (e instanceof KoanError) return e;
  const err = e as { code?: number | string; errors?: { reason?: string; message?: string }[] };
  const msg = messageOf(e);
  const status = typeof err.code === "number" ? err.code : undefined;
  if (status === undefined && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|socket hang up|fetch failed|request to .* failed/i.test(`${msg} ${String(err.code ?? "")}`)) {
    return new KoanError("STORE_UNAVAILABLE", `cannot reach ${where(p)}: ${msg}`, { hint: "check the network and apiEndpoint", details: { endpoint: p.apiEndpoint ?? null, projectId: p.projectId } });
  }
  if (/default credentials/i.test(msg)) {
    return new KoanError("CONFIG_INVALID", `no Google Cloud credentials for ${where(p)}`, { hint: "set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, or run `gcloud auth application-default login`" });
  }
  const reason = err.errors?.[0]?.reason;
  return new KoanError(status === 400 || status === 404 ? "DATA_INVALID" : "STORE_UNAVAILABLE", `${what} failed on ${where(p)}${status ? ` (HTTP ${status}${reason ? ` ${reason}` : ""})` : ""}: ${msg}`, {
    details: { endpoint: p.apiEndpoint ?? null, projectId: p.projectId, ...(status ? { status } : {}) },
  });
}

/** Stream every page of a query's result to `onPage`; returns the schema. */
async function readQuery(p: Params, query: string, onPage: (fields: readonly BqField[], rows: readonly Record<string, unknown>[]) => Promise<void>): Promise<readonly BqField[]> {
  const bq = await client(p);
  let page: Awaited<ReturnType<BqClient["query"]>>;
  try {
    page = await bq.query({ query, ...(p.location ? { location: p.location } : {}), wrapIntegers: true }, { autoPaginate: false, maxResults: p.pageRows });
  } catch (e) {
    throw apiError(e, p, "the query");
  }
  let [rows, next, response] = page;
  let fields: readonly BqField[] | undefined = response?.schema?.fields;
  for (;;) {
    if (fields) await onPage(fields, rows);
    if (!next?.job) break;
    try {
      [rows, next, response] = await next.job.getQueryResults(next);
    } catch (e) {
      throw apiError(e, p, "reading the query results");
    }
    fields ??= response?.schema?.fields;
  }
  if (!fields) throw new KoanError("DATA_INVALID", `${where(p)} returned no schema for the query`);
  return fields;
}

/** The built-in BigQuery source step. */
export const bigquerySource = step({
  name: "bigquery_source",
  description: "read the result of a BigQuery query into a dataset",
  params: bigquerySourceParams,
  outputs: { dataset: dataset() },
  fingerprint: async (p): Promise<JsonValue> => {
    if (!p.version && !p.checksumQuery) return { query: p.query, unversioned: `${Date.now()}-${process.hrtime.bigint()}` };
    let checksum: string | null = null;
    if (p.checksumQuery) {
      const rows: unknown[] = [];
      await readQuery(p, p.checksumQuery, async (fields, page) => {
        for (const r of page) rows.push(fields.map((f) => String(bqValue(f, r[f.name]) ?? null)));
      });
      checksum = `sha256:${hashJson(rows as never)}`;
    }
    return { query: p.query, version: p.version ?? null, checksum };
  },
  run: async (ctx, _inputs, p) => {
    if (!p.version && !p.checksumQuery) ctx.log.warn("no version or checksumQuery given: the query runs on every pipeline run");
    let writer: DatasetWriter | undefined;
    try {
      await readQuery(p, p.query, async (fields, rows) => {
        if (!writer) {
          if (!fields.length) throw new KoanError("DATA_INVALID", `the query returned no columns (${where(p)})`);
          writer = await DatasetWriter.create(join(ctx.scratchDir, "dataset"), {
            splits: [p.split],
            shards: p.shards,
            kinds: Object.fromEntries(fields.map((f) => [f.name, bqKind(f.type)])),
            source: { kind: "bigquery", uri: `bigquery://${p.projectId}${p.location ? `/${p.location}` : ""}`, query: p.query, ...(p.version ? { version: p.version } : {}) },
          });
        }
        for (const r of rows) {
          const row: Record<string, RowValue> = {};
          for (const f of fields) row[f.name] = bqValue(f, r[f.name]);
          await writer.write(p.split, row as Row);
        }
      });
    } catch (e) {
      await writer?.abort();
      throw e;
    }
    const w = writer as DatasetWriter | undefined;
    const rows = w?.count(p.split) ?? 0;
    if (!w || rows === 0) {
      await w?.abort();
      throw new KoanError("DATA_INVALID", `the query returned no rows (${where(p)})`);
    }
    ctx.log.info(`read ${rows} rows from ${where(p)}`);
    ctx.log.metric("rows", rows);
    return { dataset: await w.close() };
  },
});
