/** The Artifact page: metadata, a preview of the content (or the error reading it), and its lineage graph. */
import type { ArtifactView, LineageView, Preview } from "../../../src/ui/api-types.js";
import { useApi } from "../api.js";
import { Json } from "../components/Json.js";
import { Lineage } from "../components/Lineage.js";
import { Loading, Problem } from "../components/Problem.js";
import { bytes, time } from "../format.js";

function PreviewBlock({ preview }: { preview: Preview }) {
  switch (preview.kind) {
    case "json":
      return <pre class="json" data-testid="preview">{preview.text}{preview.truncated ? "\n…" : ""}</pre>;
    case "text":
      return (
        <div data-testid="preview">
          <div class="muted small">
            {preview.name} · {bytes(preview.size)}
            {preview.truncated ? " · first part shown" : ""}
          </div>
          <pre class="json">{preview.text}</pre>
        </div>
      );
    case "binary":
      return (
        <div data-testid="preview">
          <div class="muted small">{preview.name ?? "binary"} · {bytes(preview.size)} (binary; first bytes in hex)</div>
          <pre class="json">{preview.hex.replace(/(.{64})/g, "$1\n")}</pre>
        </div>
      );
    case "listing":
      return (
        <table class="kv" data-testid="preview">
          <tbody>
            {preview.files.map((f) => (
              <tr key={f.path}>
                <th class="mono">{f.path}</th>
                <td class="num">{bytes(f.size)}</td>
              </tr>
            ))}
            {preview.truncated ? (
              <tr>
                <td colSpan={2} class="muted">
                  … {preview.total - preview.files.length} more files
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      );
    case "table":
      return (
        <div data-testid="preview">
          {preview.splits.map((s) => (
            <div key={s.name}>
              <h3>
                {s.name} <span class="muted small">{s.rows === null ? "" : `${s.rows} rows`}</span>
              </h3>
              <div class="scroll">
                <table class="runs">
                  <thead>
                    <tr>{s.columns.map((c) => <th key={c}>{c}</th>)}</tr>
                  </thead>
                  <tbody>
                    {s.sample.map((row, i) => (
                      <tr key={i}>{s.columns.map((c) => <td key={c}>{JSON.stringify(row[c] ?? null)}</td>)}</tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          ))}
        </div>
      );
    case "none":
      return <div class="muted" data-testid="preview">{preview.message}</div>;
    case "error":
      return (
        <div class="problem" role="alert" data-testid="preview-error">
          <strong>{preview.code}</strong>: {preview.message}
          {preview.hint ? <div class="muted">{preview.hint}</div> : null}
        </div>
      );
  }
}

export function ArtifactPage({ id, direction }: { id: string; direction: "up" | "down" }) {
  const enc = encodeURIComponent(id);
  const view = useApi<ArtifactView>(`/api/artifacts/${enc}`);
  const preview = useApi<Preview>(view.data ? `/api/artifacts/${enc}/preview` : null);
  const lineage = useApi<LineageView>(view.data ? `/api/artifacts/${enc}/lineage?direction=${direction}` : null);
  if (view.error) return <Problem error={view.error} what="artifact" />;
  if (!view.data) return <Loading />;
  const { artifact: a, producer, consumers, reusedBy } = view.data;
  return (
    <div class="page">
      <div class="crumbs">
        <a href="/runs">Runs</a>
        {producer ? (
          <>
            {" "}/ <a href={`/runs/${producer.runId}`}>{producer.runId}</a> / <a href={`/runs/${producer.runId}?step=${encodeURIComponent(producer.step)}`}>{producer.step}</a>
          </>
        ) : null}
      </div>
      <div class="page-head">
        <h1>
          {a.outputName} <span class="muted">({a.type})</span>
        </h1>
      </div>
      <div class="artifact-body">
        <section class="card">
          <h2>Record</h2>
          <table class="kv">
            <tbody>
              <tr><th>id</th><td class="mono" data-testid="artifact-id">{a.id}</td></tr>
              <tr><th>type</th><td>{a.type} ({a.materializer} v{a.materializerVersion})</td></tr>
              <tr><th>content</th><td class="mono small">sha256:{a.contentHash}</td></tr>
              <tr><th>size</th><td>{bytes(a.size)} in {a.blobs} blob{a.blobs === 1 ? "" : "s"}</td></tr>
              <tr><th>created</th><td>{time(a.createdAt)}</td></tr>
              <tr><th>uri</th><td class="mono small">{a.uri}</td></tr>
              <tr>
                <th>produced by</th>
                <td>{producer ? <a href={`/runs/${producer.runId}?step=${encodeURIComponent(producer.step)}`}>{producer.step} in run {producer.runId}</a> : "–"}</td>
              </tr>
              <tr>
                <th>read by</th>
                <td>
                  {consumers.length
                    ? consumers.map((c) => (
                        <div key={c.stepRunId}>
                          <a href={`/runs/${c.runId}?step=${encodeURIComponent(c.step)}`}>{c.step}</a> <span class="muted small">({c.port}, run {c.runId})</span>
                        </div>
                      ))
                    : "–"}
                </td>
              </tr>
              {reusedBy.length ? (
                <tr>
                  <th>reused by</th>
                  <td>{reusedBy.length} cache hit{reusedBy.length === 1 ? "" : "s"}</td>
                </tr>
              ) : null}
            </tbody>
          </table>
          <details>
            <summary>meta</summary>
            <Json data={a.meta} />
          </details>
        </section>
        <section class="card">
          <h2>Content</h2>
          {preview.error ? <Problem error={preview.error} what="the preview" /> : preview.data ? <PreviewBlock preview={preview.data} /> : <Loading />}
        </section>
      </div>
      <section class="card" data-testid="lineage">
        <div class="page-head">
          <h2>Lineage</h2>
          <nav class="tabs small">
            <a href={`/artifacts/${enc}`} class={direction === "up" ? "active" : ""}>
              Upstream (where it came from)
            </a>
            <a href={`/artifacts/${enc}?direction=down`} class={direction === "down" ? "active" : ""}>
              Downstream (what was made from it)
            </a>
          </nav>
        </div>
        {lineage.error ? <Problem error={lineage.error} what="lineage" /> : lineage.data ? lineage.data.nodes.length > 1 ? <Lineage graph={lineage.data} /> : <div class="muted">{direction === "up" ? "Nothing upstream." : "Nothing was made from this artifact yet."}</div> : <Loading />}
      </section>
    </div>
  );
}
