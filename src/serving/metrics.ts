/**
 * Prometheus metrics of the model server, in the text exposition format (version 0.0.4): request counts by
 * protocol route and status, request latency, predict-call (batch) sizes and durations, in-flight requests.
 * A small self-contained registry: no client library, and label sets are bounded (routes are patterns, never
 * raw paths).
 * @module
 */

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = new Array(buckets.length).fill(0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= (this.buckets[i] as number)) this.counts[i] = (this.counts[i] as number) + 1;
  }
}

const esc = (v: string): string => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labelText = (labels: Record<string, string>): string => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};
const num = (v: number): string => (Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN");

/** The server's metrics. */
export class ServerMetrics {
  private readonly requests = new Map<string, { labels: Record<string, string>; value: number }>();
  private readonly latency = new Map<string, { labels: Record<string, string>; h: Histogram }>();
  private readonly batchRows = new Histogram(BATCH_BUCKETS);
  private readonly batchRequests = new Histogram(BATCH_BUCKETS);
  private readonly predictSeconds = new Histogram(LATENCY_BUCKETS);
  private inflight = 0;

  /** A request started (for the in-flight gauge). */
  started(): void {
    this.inflight++;
  }

  /** A request ended: `route` is the route pattern (e.g. `/v2/models/{name}/infer`), `code` the HTTP or gRPC status. */
  finished(protocol: string, route: string, code: string | number, seconds: number): void {
    this.inflight--;
    const labels = { protocol, route, code: String(code) };
    const key = `${protocol}\0${route}\0${code}`;
    const c = this.requests.get(key);
    if (c) c.value++;
    else this.requests.set(key, { labels, value: 1 });
    const lk = `${protocol}\0${route}`;
    let l = this.latency.get(lk);
    if (!l) this.latency.set(lk, (l = { labels: { protocol, route }, h: new Histogram(LATENCY_BUCKETS) }));
    l.h.observe(seconds);
  }

  /** A predict call ran over `rows` rows from `requests` requests. */
  batch(rows: number, requests: number, seconds: number): void {
    this.batchRows.observe(rows);
    this.batchRequests.observe(requests);
    this.predictSeconds.observe(seconds);
  }

  /** Requests counted so far for a route and status (for tests and logs). */
  count(protocol: string, route: string, code: string | number): number {
    return this.requests.get(`${protocol}\0${route}\0${code}`)?.value ?? 0;
  }

  /** The exposition text. */
  render(model: { name: string; version: string }): string {
    const out: string[] = [];
    const hist = (name: string, help: string, series: { labels: Record<string, string>; h: Histogram }[]): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const { labels, h } of series) {
        h.buckets.forEach((b, i) => out.push(`${name}_bucket${labelText({ ...labels, le: num(b) })} ${h.counts[i]}`));
        out.push(`${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${h.count}`);
        out.push(`${name}_sum${labelText(labels)} ${num(h.sum)}`, `${name}_count${labelText(labels)} ${h.count}`);
      }
    };
    out.push("# HELP koan_serving_model_info The served model.", "# TYPE koan_serving_model_info gauge", `koan_serving_model_info${labelText({ model: model.name, version: model.version })} 1`);
    out.push("# HELP koan_serving_requests_total Requests answered, by protocol, route and status code.", "# TYPE koan_serving_requests_total counter");
    for (const { labels, value } of this.requests.values()) out.push(`koan_serving_requests_total${labelText(labels)} ${value}`);
    hist("koan_serving_request_duration_seconds", "Time from request to response, by protocol and route.", [...this.latency.values()]);
    out.push("# HELP koan_serving_inflight_requests Requests being handled.", "# TYPE koan_serving_inflight_requests gauge", `koan_serving_inflight_requests ${this.inflight}`);
    hist("koan_serving_batch_size_rows", "Rows per predict call (micro-batch size).", [{ labels: {}, h: this.batchRows }]);
    hist("koan_serving_batch_size_requests", "Requests per predict call.", [{ labels: {}, h: this.batchRequests }]);
    hist("koan_serving_predict_duration_seconds", "Time of one predict call.", [{ labels: {}, h: this.predictSeconds }]);
    return `${out.join("\n")}\n`;
  }
}
