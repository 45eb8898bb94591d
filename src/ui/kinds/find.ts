/**
 * Finding a run's artifacts of one kind (by their `type`: `dataset`, `statistics`, `evaluation`, `deployment`)
 * and reading them into the plain shapes their pages draw. Each kind has a normalizer in this folder; a value that
 * cannot be read gives an item with `error` set instead of failing the page.
 * @module
 */
import type { Koan } from "../../client/client.js";
import type { ArtifactRecord } from "../../stores/metadata/types.js";
import type { ArtifactKind, KindItem } from "../api-types.js";
import { artifactSummary } from "../run-view.js";

/** An artifact of a run with the step and port that output it. */
export interface FoundArtifact {
  artifact: ArtifactRecord;
  step: string;
  port: string;
}

/** The output artifacts of a run (id or prefix) whose type is `kind`. */
export async function findKind(koan: Koan, runRef: string, kind: ArtifactKind): Promise<{ runId: string; found: FoundArtifact[] }> {
  const { run, steps } = await koan.runDetails(runRef);
  const found: FoundArtifact[] = [];
  for (const s of steps) {
    for (const [port, id] of Object.entries(s.outputs)) {
      const a = await koan.metadata.getArtifact(id);
      if (a?.type === kind) found.push({ artifact: a, step: s.step, port });
    }
  }
  return { runId: run.id, found };
}

/** Read found artifacts through `normalize` (which gets the loaded value and the record). */
export async function readKind<T>(koan: Koan, found: readonly FoundArtifact[], normalize: (value: unknown, a: ArtifactRecord) => T | Promise<T>): Promise<KindItem<T>[]> {
  const out: KindItem<T>[] = [];
  for (const f of found) {
    let content: T | null = null;
    let error: string | null = null;
    try {
      content = await normalize(await koan.load(f.artifact), f.artifact);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    out.push({ artifact: artifactSummary(f.artifact), step: f.step, port: f.port, content, error });
  }
  return out;
}
