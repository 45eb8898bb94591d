/**
 * Lineage: walk events from an artifact upstream (the step run that made it, that step's inputs, and so on to
 * raw inputs) or downstream (every step run that read it and everything they made).
 * @module
 */
import type { ArtifactRecord, MetadataStore, StepRunRecord } from "../stores/metadata/types.js";

/** A node of a lineage graph. */
export type LineageNode =
  | { kind: "artifact"; id: string; type: string; contentHash: string; uri: string; outputName: string; createdAt: string }
  | { kind: "step"; id: string; runId: string; step: string; status: string; cacheHit: boolean; startedAt: string | null };

/** An edge: `from` → `to` through `port` (an artifact into a step's input, or a step's output into an artifact). */
export interface LineageEdge {
  from: string;
  to: string;
  port: string;
}

/** A lineage graph, rooted at `root`. */
export interface LineageGraph {
  root: string;
  direction: "up" | "down";
  nodes: LineageNode[];
  edges: LineageEdge[];
}

interface Source {
  readonly metadata: MetadataStore;
  resolveArtifact(ref: string): Promise<ArtifactRecord>;
}

const artifactNode = (a: ArtifactRecord): LineageNode => ({ kind: "artifact", id: a.id, type: a.type, contentHash: a.contentHash, uri: a.uri, outputName: a.outputName, createdAt: a.createdAt });
const stepNode = (s: StepRunRecord): LineageNode => ({ kind: "step", id: s.id, runId: s.runId, step: s.step, status: s.status, cacheHit: s.cacheHit, startedAt: s.startedAt });

export async function lineageOf(src: Source, ref: string | ArtifactRecord, direction: "up" | "down"): Promise<LineageGraph> {
  const root = typeof ref === "string" ? await src.resolveArtifact(ref) : ref;
  const md = src.metadata;
  const nodes = new Map<string, LineageNode>([[root.id, artifactNode(root)]]);
  const edges: LineageEdge[] = [];
  let frontier = [root];
  while (frontier.length) {
    const next: ArtifactRecord[] = [];
    const events = await md.eventsOfArtifacts(frontier.map((a) => a.id));
    const stepIds = new Set<string>();
    for (const a of frontier) {
      const mine = events.filter((e) => e.artifactId === a.id);
      if (direction === "up") {
        // The producer: the step run that computed it (else, if that run was deleted, one that reused it).
        const producers = mine.filter((e) => e.kind === "output");
        const chosen = producers.find((e) => e.stepRunId === a.producerStepRun) ?? producers[0];
        if (chosen) {
          stepIds.add(chosen.stepRunId);
          edges.push({ from: chosen.stepRunId, to: a.id, port: chosen.port });
        }
      } else {
        for (const e of mine.filter((x) => x.kind === "input")) {
          stepIds.add(e.stepRunId);
          edges.push({ from: a.id, to: e.stepRunId, port: e.port });
        }
      }
    }
    const fresh = [...stepIds].filter((id) => !nodes.has(id));
    for (const id of fresh) {
      const s = await md.getStepRun(id);
      if (s) nodes.set(id, stepNode(s));
    }
    const stepEvents = await md.eventsOfStepRuns(fresh);
    for (const e of stepEvents) {
      if (direction === "up" && e.kind === "input") {
        edges.push({ from: e.artifactId, to: e.stepRunId, port: e.port });
      } else if (direction === "down" && e.kind === "output") {
        edges.push({ from: e.stepRunId, to: e.artifactId, port: e.port });
      } else continue;
      if (!nodes.has(e.artifactId)) {
        const a = await md.getArtifact(e.artifactId);
        if (a) {
          nodes.set(a.id, artifactNode(a));
          next.push(a);
        }
      }
    }
    frontier = next;
  }
  const key = (e: LineageEdge): string => `${e.from}|${e.to}|${e.port}`;
  const unique = [...new Map(edges.map((e) => [key(e), e])).values()];
  return { root: root.id, direction, nodes: [...nodes.values()], edges: unique };
}
