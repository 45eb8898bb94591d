/** The dashboard shell: navigation, the store banner, and the page for the current URL. */
import { useEffect, useState } from "preact/hooks";
import type { HealthView } from "../../src/ui/api-types.js";
import { getJson, onStoreProblem } from "./api.js";
import { NotFound } from "./components/NotFound.js";
import { ArtifactPage } from "./pages/Artifact.js";
import { ComparePage } from "./pages/Compare.js";
import { DataPage } from "./pages/Data.js";
import { DeploymentsPage } from "./pages/Deployments.js";
import { EvaluationPage } from "./pages/Evaluation.js";
import { RunPage } from "./pages/Run.js";
import { RunsPage } from "./pages/Runs.js";
import { match, useRoute, type Route } from "./router.js";

function page(route: Route) {
  const p = route.path.replace(/\/+$/, "") || "/";
  if (p === "/" || p === "/runs") return <RunsPage query={route.query} />;
  let m = match("/runs/:id", p);
  if (m) return <RunPage id={m.id as string} step={route.query.get("step")} />;
  if ((m = match("/runs/:id/data", p))) return <DataPage id={m.id as string} />;
  if ((m = match("/runs/:id/evaluation", p))) return <EvaluationPage id={m.id as string} />;
  if ((m = match("/artifacts/:id", p))) return <ArtifactPage id={m.id as string} direction={route.query.get("direction") === "down" ? "down" : "up"} />;
  if (p === "/compare") return <ComparePage query={route.query} />;
  if (p === "/deployments") return <DeploymentsPage />;
  return <NotFound />;
}

export function App() {
  const route = useRoute();
  const [problem, setProblem] = useState<string | null>(null);
  const [health, setHealth] = useState<HealthView | null>(null);
  useEffect(() => onStoreProblem(setProblem), []);
  useEffect(() => {
    getJson<HealthView>("/api/health").then(setHealth, () => undefined);
  }, []);
  const section = route.path.startsWith("/compare") ? "compare" : route.path.startsWith("/deployments") ? "deployments" : "runs";
  return (
    <>
      <header class="top">
        <a href="/runs" class="brand">
          <span class="logo">◉</span> Koan
        </a>
        <nav>
          <a href="/runs" class={section === "runs" ? "active" : ""}>
            Runs
          </a>
          <a href="/compare" class={section === "compare" ? "active" : ""}>
            Compare
          </a>
          <a href="/deployments" class={section === "deployments" ? "active" : ""}>
            Deployments
          </a>
        </nav>
        <span class="grow" />
        {health ? (
          <span class="muted small">
            {health.project} · {health.store.flavor} · koan {health.version}
          </span>
        ) : null}
      </header>
      {problem ? (
        <div class="banner" role="alert" data-testid="store-banner">
          <strong>Store unavailable.</strong> {problem}
        </div>
      ) : null}
      <main>{page(route)}</main>
    </>
  );
}
