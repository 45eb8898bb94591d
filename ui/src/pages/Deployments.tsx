/** The Deployments page: what is deployed where, its health, and links back to the run and lineage. */
import type { DeploymentHealth, DeploymentsView } from "../../../src/ui/api-types.js";
import { useEffect } from "preact/hooks";
import { useApi } from "../api.js";
import { Empty } from "../components/Empty.js";
import { Loading, Problem } from "../components/Problem.js";
import { time } from "../format.js";

export function DeploymentsPage() {
  const d = useApi<DeploymentsView>("/api/deployments");
  return (
    <div class="page">
      <div class="page-head">
        <h1>Deployments</h1>
      </div>
      {d.error ? <Problem error={d.error} what="deployments" /> : null}
      {!d.data && !d.error ? <Loading /> : null}
      {d.data && !d.data.deployments.length ? (
        <Empty title="No deployments yet">Deployment artifacts (type "deployment": a model pushed to a serving target) show here with their target, endpoint and health, linked back through lineage to the data they came from. {d.data.scanned} recent artifacts checked.</Empty>
      ) : null}
      {d.data?.deployments.length ? (
        <table class="runs" data-testid="deployments">
          <thead><tr><th>deployment</th><th>target</th><th>endpoint</th><th>model</th><th>status</th><th>health</th><th>run</th><th>created</th><th>lineage</th></tr></thead>
          <tbody>
            {d.data.deployments.map((x) => (
              <tr key={x.artifact.id}>
                <td><a href={`/artifacts/${x.artifact.id}`}>{x.step}.{x.port}</a>{x.error ? <div class="problem small">{x.error}</div> : null}</td>
                <td>{x.content?.target ?? "–"}</td>
                <td class="mono small">{x.content?.endpoint ?? "–"}</td>
                <td>{x.content?.model ?? "–"}</td>
                <td>{x.content?.status ? <span class={`badge status-${x.content.status}`}>{x.content.status}</span> : "–"}</td>
                <td>{x.content ? <Health artifact={x.artifact.id} /> : "–"}</td>
                <td class="mono"><a href={`/runs/${x.runId}`}>{x.runPipeline} …{x.runId.slice(-8)}</a></td>
                <td>{time(x.artifact.createdAt)}</td>
                <td><a href={`/artifacts/${x.artifact.id}`}>back to data →</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** A live probe of one deployment's readiness endpoint (the server GETs it), refreshed every 15 s. */
function Health({ artifact }: { artifact: string }) {
  const h = useApi<DeploymentHealth>(`/api/deployments/${encodeURIComponent(artifact)}/health`);
  const { reload } = h;
  useEffect(() => {
    const t = setInterval(reload, 15_000);
    return () => clearInterval(t);
  }, [reload]);
  if (h.error) return <span class="problem small">{h.error.message}</span>;
  if (!h.data) return <span class="muted">checking…</span>;
  const state = h.data.state;
  const cls = state === "up" ? "succeeded" : state === "down" ? "failed" : "cancelled";
  return (
    <span data-testid="deployment-health" title={`${h.data.url ?? "not probed"}: ${h.data.detail} (checked ${time(h.data.checkedAt)})`}>
      <span class={`badge status-${cls}`}>{state}</span> <span class="muted small">{h.data.latencyMs !== null ? `${h.data.latencyMs} ms` : h.data.detail}</span>
    </span>
  );
}
