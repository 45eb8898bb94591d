/**
 * The blessing check before a deployment: a model is refused when an evaluation artifact of the run that made
 * it says `"blessed": false` (unless forced). The lookup is one small function so the evaluation issue can make
 * it exact (e.g. follow a dedicated `blessing` artifact type).
 * @module
 */
import type { Koan } from "../../client/client.js";
import { KoanError } from "../../core/errors.js";
import type { ArtifactRecord } from "../../stores/metadata/types.js";

/** What is known about a model's blessing. */
export interface Blessing {
  /** `true`/`false` from an evaluation artifact, `null` when none says. */
  readonly blessed: boolean | null;
  /** The artifact that said so (`run/step/output`). */
  readonly source: string | null;
}

const PREFERRED = ["blessing", "evaluation", "eval", "evaluator"];
const MAX_BYTES = 1 << 20;

/** `blessed` of an evaluation value: `{ blessed }` or an Evaluation's `{ blessing: { blessed } }`. */
function blessedIn(value: unknown): boolean | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as { blessed?: unknown; blessing?: { blessed?: unknown } };
  if (typeof v.blessed === "boolean") return v.blessed;
  if (typeof v.blessing?.blessed === "boolean") return v.blessing.blessed;
  return undefined;
}

/**
 * Read `blessed` from the evaluation outputs around `model`: the outputs of steps that read the model (an
 * evaluator) and of the run that produced it — `evaluation` artifacts and small JSON artifacts holding `blessed`
 * (or `blessing.blessed`), outputs named `blessing`, `evaluation`, `eval` or `evaluator` first, newest step first.
 */
export async function blessingOf(koan: Koan, model: ArtifactRecord): Promise<Blessing> {
  const candidates: { ref: string; id: string; rank: number; at: string }[] = [];
  const add = (runId: string, step: string, outputs: Record<string, string>, at: string | null): void => {
    for (const [port, id] of Object.entries(outputs)) {
      const rank = PREFERRED.indexOf(port);
      candidates.push({ ref: `${runId}/${step}/${port}`, id, rank: rank === -1 ? PREFERRED.length : rank, at: at ?? "" });
    }
  };
  const readers = (await koan.metadata.eventsOfArtifacts([model.id])).filter((e) => e.kind === "input").map((e) => e.stepRunId);
  const readerEvents = await koan.metadata.eventsOfStepRuns(readers);
  for (const id of readers) {
    const s = await koan.metadata.getStepRun(id);
    if (s) add(s.runId, s.step, Object.fromEntries(readerEvents.filter((e) => e.stepRunId === id && e.kind === "output").map((e) => [e.port, e.artifactId])), s.startedAt);
  }
  const producer = await koan.metadata.getStepRun(model.producerStepRun);
  if (producer) for (const s of (await koan.runDetails(producer.runId)).steps) add(producer.runId, s.step, s.outputs, s.startedAt);
  candidates.sort((a, b) => a.rank - b.rank || (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    const a = await koan.metadata.getArtifact(c.id);
    if (!a || (a.type !== "json" && a.type !== "evaluation") || a.size > MAX_BYTES) continue;
    const blessed = blessedIn(await koan.load(a));
    if (blessed !== undefined) return { blessed, source: c.ref };
  }
  return { blessed: null, source: null };
}

/** Throw unless the model may be deployed: refused when blessed is false and not forced. */
export function checkBlessing(blessing: Blessing, model: string, force: boolean): void {
  if (blessing.blessed === false && !force) {
    throw new KoanError("USAGE", `model ${model} is not blessed: ${blessing.source} says "blessed": false`, {
      hint: "deploy it anyway with --force",
      details: { model, source: blessing.source },
    });
  }
}
