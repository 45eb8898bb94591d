/**
 * The metadata store over SQL, written once with Kysely and shared by the SQLite and PostgreSQL flavors; a
 * flavor only supplies the dialect.
 * @module
 */
import { sql, type Kysely, type RawBuilder, type Selectable } from "kysely";
import type { JsonValue } from "../../../core/hash.js";
import { KoanError } from "../../../core/errors.js";
import type {
  ArtifactRecord,
  EventRecord,
  LeaseInfo,
  MetadataStore,
  MetricRecord,
  NewOutput,
  RunFacetKeys,
  RunQuery,
  RunRecord,
  RunSearch,
  RunStatus,
  StepRunRecord,
  StepStatus,
  StoredError,
} from "../types.js";
import type { Database, RunsTable, StepRunsTable, ArtifactsTable } from "./schema.js";
import { readSchemaVersion } from "../migrations/index.js";
import { copyCachedMetrics, facetKeys, forgetRuns, forgetStepMetrics, indexLoggedMetrics, insertRunParams, metricValuesOf, searchRunRows } from "./run-values.js";

const json = (v: unknown): string => JSON.stringify(v ?? null);
const parse = <T>(s: string | null): T => (s === null ? (null as T) : (JSON.parse(s) as T));
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function toRun(r: Selectable<RunsTable>): RunRecord {
  return {
    id: r.id,
    pipeline: r.pipeline,
    status: r.status as RunStatus,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    pipelineFile: r.pipeline_file,
    sourceHash: r.source_hash,
    config: parse<JsonValue>(r.config),
    environment: parse<JsonValue>(r.environment),
    stack: parse<JsonValue>(r.stack),
    spec: parse<JsonValue>(r.spec),
    error: parse<StoredError | null>(r.error),
    host: r.host,
    pid: Number(r.pid),
  };
}

function toStepRun(r: Selectable<StepRunsTable>): StepRunRecord {
  return {
    id: r.id,
    runId: r.run_id,
    step: r.step,
    stepType: r.step_type,
    status: r.status as StepStatus,
    cacheKey: r.cache_key,
    cacheHit: Boolean(Number(r.cache_hit)),
    cachedFrom: r.cached_from,
    codeHash: r.code_hash,
    params: parse<JsonValue>(r.params),
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    attempts: Number(r.attempts),
    error: parse<StoredError | null>(r.error),
    logBlob: r.log_blob,
    meta: parse<JsonValue>(r.meta),
  };
}

function toArtifact(r: Selectable<ArtifactsTable>): ArtifactRecord {
  return {
    id: r.id,
    type: r.type,
    materializer: r.materializer,
    materializerVersion: Number(r.materializer_version),
    contentHash: r.content_hash,
    uri: r.uri,
    size: Number(r.size),
    producerStepRun: r.producer_step_run,
    outputName: r.output_name,
    createdAt: r.created_at,
    meta: parse<JsonValue>(r.meta),
  };
}

function toEvent(r: { step_run_id: string; artifact_id: string; kind: string; port: string }): EventRecord {
  return { stepRunId: r.step_run_id, artifactId: r.artifact_id, kind: r.kind as EventRecord["kind"], port: r.port };
}

/** A {@link MetadataStore} over any Kysely dialect whose schema was migrated by `migrate`. */
export class SqlMetadataStore implements MetadataStore {
  /**
   * @param flavor `sqlite` or `postgres` (selects the few dialect-specific SQL fragments).
   * @param db a Kysely instance over a migrated schema.
   * @param uri where the store lives, already redacted (no password).
   */
  constructor(
    readonly flavor: string,
    private readonly db: Kysely<Database>,
    readonly uri: string = `${flavor}:`,
  ) {}

  /**
   * Run `fn` in a write transaction. On SQLite it starts with `begin immediate`, so a transaction that reads
   * before writing waits for other writers (busy timeout) instead of failing with SQLITE_BUSY.
   */
  private tx<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.flavor !== "sqlite") return this.db.transaction().execute(fn);
    return this.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const out = await fn(conn);
        await sql`commit`.execute(conn);
        return out;
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      }
    });
  }

  /** The store's clock, epoch ms (one clock for every process and machine using the store). */
  private nowMs(): RawBuilder<number> {
    return this.flavor === "postgres"
      ? sql<number>`(floor(extract(epoch from clock_timestamp()) * 1000))::bigint`
      : sql<number>`cast(round((julianday('now') - 2440587.5) * 86400000) as integer)`;
  }

  async schemaVersion(): Promise<number> {
    return readSchemaVersion(this.db as unknown as Kysely<unknown>);
  }

  async createRun(run: RunRecord): Promise<void> {
    await this.tx(async (trx) => {
      await this.insertRun(trx, run);
      await insertRunParams(trx, run); // indexed for searchRuns
    });
  }

  private async insertRun(db: Kysely<Database>, run: RunRecord): Promise<void> {
    await db
      .insertInto("runs")
      .values({
        id: run.id,
        pipeline: run.pipeline,
        status: run.status,
        started_at: run.startedAt,
        ended_at: run.endedAt,
        pipeline_file: run.pipelineFile,
        source_hash: run.sourceHash,
        config: json(run.config),
        environment: json(run.environment),
        stack: json(run.stack),
        spec: json(run.spec),
        error: run.error ? json(run.error) : null,
        host: run.host,
        pid: run.pid,
      })
      .execute();
  }

  async finishRun(id: string, status: RunStatus, endedAt: string, error: StoredError | null): Promise<void> {
    await this.db.updateTable("runs").set({ status, ended_at: endedAt, error: error ? json(error) : null }).where("id", "=", id).execute();
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const r = await this.db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
    return r ? toRun(r) : undefined;
  }

  async findRuns(prefix: string, limit = 10): Promise<RunRecord[]> {
    const rows = await this.db.selectFrom("runs").selectAll().where("id", ">=", prefix).where("id", "<", `${prefix}\uffff`).orderBy("id").limit(limit).execute();
    return rows.map(toRun);
  }

  private runFilter(query: RunQuery) {
    let q = this.db.selectFrom("runs");
    if (query.pipeline) q = q.where("pipeline", "=", query.pipeline);
    if (query.status) q = q.where("status", "=", query.status);
    if (query.before) q = q.where("started_at", "<", query.before);
    return q;
  }

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    const rows = await this.runFilter(query)
      .selectAll()
      .orderBy("started_at", "desc")
      .orderBy("id", "desc")
      .limit(query.limit ?? 50)
      .offset(query.offset ?? 0)
      .execute();
    return rows.map(toRun);
  }

  async countRuns(query: RunQuery = {}): Promise<number> {
    const r = await this.runFilter(query).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async createStepRun(s: StepRunRecord, inputs: readonly EventRecord[]): Promise<void> {
    await this.tx(async (trx) => {
      await trx
        .insertInto("step_runs")
        .values({
          id: s.id,
          run_id: s.runId,
          step: s.step,
          step_type: s.stepType,
          status: s.status,
          cache_key: s.cacheKey,
          cache_hit: s.cacheHit ? 1 : 0,
          cached_from: s.cachedFrom,
          code_hash: s.codeHash,
          params: json(s.params),
          started_at: s.startedAt,
          ended_at: s.endedAt,
          duration_ms: s.durationMs,
          attempts: s.attempts,
          error: s.error ? json(s.error) : null,
          log_blob: s.logBlob,
          meta: json(s.meta),
        })
        .execute();
      if (inputs.length) {
        await trx
          .insertInto("events")
          .values(inputs.map((e) => ({ step_run_id: e.stepRunId, artifact_id: e.artifactId, kind: e.kind, port: e.port })))
          .execute();
      }
      if (s.cacheHit && s.cachedFrom) await copyCachedMetrics(trx, { runId: s.runId, step: s.step, cachedFrom: s.cachedFrom });
    });
  }

  async finishStepRun(
    id: string,
    patch: Pick<StepRunRecord, "status" | "endedAt" | "durationMs" | "attempts" | "error" | "logBlob" | "meta">,
    outputs: readonly NewOutput[],
    reused: readonly EventRecord[] = [],
  ): Promise<void> {
    await this.tx(async (trx) => {
      for (const o of outputs) {
        const a = o.artifact;
        await trx
          .insertInto("artifacts")
          .values({
            id: a.id,
            type: a.type,
            materializer: a.materializer,
            materializer_version: a.materializerVersion,
            content_hash: a.contentHash,
            uri: a.uri,
            size: a.size,
            producer_step_run: a.producerStepRun,
            output_name: a.outputName,
            created_at: a.createdAt,
            meta: json(a.meta),
          })
          .execute();
        const blobs = [...new Set(o.blobs)];
        for (const part of chunks(blobs)) {
          await trx.insertInto("artifact_blobs").values(part.map((b) => ({ artifact_id: a.id, blob: b }))).execute();
        }
        await trx.insertInto("events").values({ step_run_id: id, artifact_id: a.id, kind: "output", port: o.port }).execute();
      }
      if (reused.length) {
        await trx
          .insertInto("events")
          .values(reused.map((e) => ({ step_run_id: e.stepRunId, artifact_id: e.artifactId, kind: e.kind, port: e.port })))
          .execute();
      }
      await trx
        .updateTable("step_runs")
        .set({
          status: patch.status,
          ended_at: patch.endedAt,
          duration_ms: patch.durationMs,
          attempts: patch.attempts,
          error: patch.error ? json(patch.error) : null,
          log_blob: patch.logBlob,
          meta: json(patch.meta),
        })
        .where("id", "=", id)
        .execute();
    });
  }

  async getStepRun(id: string): Promise<StepRunRecord | undefined> {
    const r = await this.db.selectFrom("step_runs").selectAll().where("id", "=", id).executeTakeFirst();
    return r ? toStepRun(r) : undefined;
  }

  async listStepRuns(runId: string): Promise<StepRunRecord[]> {
    const rows = await this.db.selectFrom("step_runs").selectAll().where("run_id", "=", runId).orderBy("started_at").orderBy("id").execute();
    return rows.map(toStepRun);
  }

  async findCached(cacheKey: string): Promise<{ stepRun: StepRunRecord; outputs: EventRecord[] } | undefined> {
    const r = await this.db
      .selectFrom("step_runs")
      .selectAll()
      .where("cache_key", "=", cacheKey)
      .where("status", "=", "succeeded")
      .orderBy("ended_at", "desc")
      .orderBy("id", "desc")
      .executeTakeFirst();
    if (!r) return undefined;
    const events = await this.db.selectFrom("events").selectAll().where("step_run_id", "=", r.id).where("kind", "=", "output").execute();
    return { stepRun: toStepRun(r), outputs: events.map(toEvent) };
  }

  async discardStepRun(id: string): Promise<void> {
    await this.tx(async (trx) => {
      const row = await trx.selectFrom("step_runs").select(["status", "step", "run_id"]).where("id", "=", id).executeTakeFirst();
      if (!row) return;
      const produced = await trx.selectFrom("artifacts").select("id").where("producer_step_run", "=", id).executeTakeFirst();
      if (row.status === "succeeded" || produced) {
        throw new KoanError("USAGE", `step run ${id} (step "${row.step}" of run ${row.run_id}) succeeded or produced artifacts; it cannot be discarded`);
      }
      await trx.deleteFrom("events").where("step_run_id", "=", id).execute();
      await trx.deleteFrom("metrics").where("step_run_id", "=", id).execute();
      await forgetStepMetrics(trx, row.run_id, row.step);
      await trx.updateTable("step_runs").set({ cached_from: null }).where("cached_from", "=", id).execute();
      await trx.deleteFrom("step_runs").where("id", "=", id).execute();
    });
  }

  async endRunningSteps(runId: string, status: StepStatus, endedAt: string): Promise<void> {
    await this.db.updateTable("step_runs").set({ status, ended_at: endedAt }).where("run_id", "=", runId).where("status", "=", "running").execute();
  }

  async getArtifact(id: string): Promise<ArtifactRecord | undefined> {
    const r = await this.db.selectFrom("artifacts").selectAll().where("id", "=", id).executeTakeFirst();
    return r ? toArtifact(r) : undefined;
  }

  async findArtifacts(prefix: string, limit = 10): Promise<ArtifactRecord[]> {
    const rows = await this.db.selectFrom("artifacts").selectAll().where("id", ">=", prefix).where("id", "<", `${prefix}\uffff`).orderBy("id").limit(limit).execute();
    return rows.map(toArtifact);
  }

  async listArtifacts(query: { limit?: number; offset?: number } = {}): Promise<ArtifactRecord[]> {
    const rows = await this.db
      .selectFrom("artifacts")
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(query.limit ?? 50)
      .offset(query.offset ?? 0)
      .execute();
    return rows.map(toArtifact);
  }

  async artifactBlobs(artifactId: string): Promise<string[]> {
    const rows = await this.db.selectFrom("artifact_blobs").select("blob").where("artifact_id", "=", artifactId).orderBy("blob").execute();
    return rows.map((r) => r.blob);
  }

  async eventsOfStepRuns(ids: readonly string[]): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    for (const part of chunks(ids)) {
      const rows = await this.db.selectFrom("events").selectAll().where("step_run_id", "in", part).orderBy("step_run_id").orderBy("kind").orderBy("port").execute();
      out.push(...rows.map(toEvent));
    }
    return out;
  }

  async eventsOfArtifacts(ids: readonly string[]): Promise<EventRecord[]> {
    const out: EventRecord[] = [];
    for (const part of chunks(ids)) {
      const rows = await this.db.selectFrom("events").selectAll().where("artifact_id", "in", part).orderBy("step_run_id").orderBy("kind").orderBy("port").execute();
      out.push(...rows.map(toEvent));
    }
    return out;
  }

  async logMetrics(metrics: readonly MetricRecord[]): Promise<void> {
    if (!metrics.length) return;
    await this.tx(async (trx) => {
      for (const part of chunks(metrics)) {
        await trx
          .insertInto("metrics")
          .values(part.map((m) => ({ step_run_id: m.stepRunId, name: m.name, value: m.value, step: m.step, seq: m.seq, at: m.at })))
          .execute();
      }
      await indexLoggedMetrics(trx, metrics); // last values, for searchRuns
    });
  }

  async searchRuns(query: RunSearch): Promise<{ total: number; runs: RunRecord[] }> {
    const { total, rows } = await searchRunRows(this.db, this.flavor, query);
    return { total, runs: rows.map((r) => toRun(r as Selectable<RunsTable>)) };
  }

  async lastMetricsOfRuns(runIds: readonly string[]): Promise<Record<string, Record<string, number>>> {
    return metricValuesOf(this.db, runIds);
  }

  async runFacetKeys(sample: number): Promise<RunFacetKeys> {
    return facetKeys(this.db, sample);
  }

  async metricsOfRun(runId: string): Promise<(MetricRecord & { stepName: string })[]> {
    const rows = await this.db
      .selectFrom("metrics")
      .innerJoin("step_runs", "step_runs.id", "metrics.step_run_id")
      .select(["metrics.step_run_id", "metrics.name", "metrics.value", "metrics.step", "metrics.seq", "metrics.at", "step_runs.step as step_name"])
      .where("step_runs.run_id", "=", runId)
      .orderBy("step_runs.step")
      .orderBy("metrics.name")
      .orderBy("metrics.seq")
      .execute();
    return rows.map((r) => ({
      stepRunId: r.step_run_id,
      stepName: r.step_name,
      name: r.name,
      value: Number(r.value),
      step: r.step === null ? null : Number(r.step),
      seq: Number(r.seq),
      at: r.at,
    }));
  }

  async acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.nowMs();
    const ttl = Math.max(1, Math.round(ttlMs));
    const r = await this.db
      .insertInto("leases")
      .values({ key, owner, acquired_at: now, expires_at: sql<number>`${now} + ${ttl}` })
      .onConflict((oc) =>
        oc
          .column("key")
          .doUpdateSet({
            owner: (eb) => eb.ref("excluded.owner"),
            acquired_at: (eb) => eb.ref("excluded.acquired_at"),
            expires_at: (eb) => eb.ref("excluded.expires_at"),
          })
          .where((eb) => eb.or([eb("leases.expires_at", "<=", now), eb("leases.owner", "=", owner)])),
      )
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async renewLease(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.round(ttlMs));
    const r = await this.db
      .updateTable("leases")
      .set({ expires_at: sql<number>`${this.nowMs()} + ${ttl}` })
      .where("key", "=", key)
      .where("owner", "=", owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    await this.db.deleteFrom("leases").where("key", "=", key).where("owner", "=", owner).execute();
  }

  async getLease(key: string): Promise<LeaseInfo | undefined> {
    const r = await this.db
      .selectFrom("leases")
      .select(["key", "owner", "acquired_at", "expires_at", this.nowMs().as("now")])
      .where("key", "=", key)
      .executeTakeFirst();
    if (!r) return undefined;
    const expiresAt = Number(r.expires_at);
    return { key: r.key, owner: r.owner, acquiredAt: Number(r.acquired_at), expiresAt, expired: expiresAt <= Number(r.now) };
  }

  async runningRuns(): Promise<RunRecord[]> {
    return (await this.db.selectFrom("runs").selectAll().where("status", "=", "running").execute()).map(toRun);
  }

  async deleteRuns(ids: readonly string[]): Promise<{ artifacts: string[]; blobs: string[] }> {
    if (!ids.length) return { artifacts: [], blobs: [] };
    return this.tx(async (trx) => {
      const stepRuns: { id: string; log_blob: string | null }[] = [];
      for (const part of chunks(ids)) stepRuns.push(...(await trx.selectFrom("step_runs").select(["id", "log_blob"]).where("run_id", "in", part).execute()));
      const stepIds = stepRuns.map((s) => s.id);
      const candidates = new Set<string>();
      for (const part of chunks(stepIds)) {
        for (const e of await trx.selectFrom("events").select("artifact_id").where("step_run_id", "in", part).execute()) candidates.add(e.artifact_id);
        for (const a of await trx.selectFrom("artifacts").select("id").where("producer_step_run", "in", part).execute()) candidates.add(a.id);
      }
      for (const part of chunks(stepIds)) {
        await trx.deleteFrom("events").where("step_run_id", "in", part).execute();
        await trx.deleteFrom("metrics").where("step_run_id", "in", part).execute();
        await trx.updateTable("step_runs").set({ cached_from: null }).where("cached_from", "in", part).execute();
      }
      for (const part of chunks(ids)) {
        await trx.deleteFrom("step_runs").where("run_id", "in", part).execute();
        await trx.deleteFrom("runs").where("id", "in", part).execute();
        await forgetRuns(trx, part);
      }
      const deadArtifacts: string[] = [];
      for (const part of chunks([...candidates].sort())) {
        const used = new Set((await trx.selectFrom("events").select("artifact_id").where("artifact_id", "in", part).execute()).map((e) => e.artifact_id));
        deadArtifacts.push(...part.filter((a) => !used.has(a)));
      }
      const blobCandidates = new Set<string>(stepRuns.map((s) => s.log_blob).filter((b): b is string => b !== null));
      for (const part of chunks(deadArtifacts)) {
        for (const b of await trx.selectFrom("artifact_blobs").select("blob").where("artifact_id", "in", part).execute()) blobCandidates.add(b.blob);
        await trx.deleteFrom("artifact_blobs").where("artifact_id", "in", part).execute();
        await trx.deleteFrom("artifacts").where("id", "in", part).execute();
      }
      const deadBlobs: string[] = [];
      for (const part of chunks([...blobCandidates].sort())) {
        const used = new Set((await trx.selectFrom("artifact_blobs").select("blob").where("blob", "in", part).execute()).map((b) => b.blob));
        for (const l of await trx.selectFrom("step_runs").select("log_blob").where("log_blob", "in", part).execute()) if (l.log_blob) used.add(l.log_blob);
        deadBlobs.push(...part.filter((b) => !used.has(b)));
      }
      return { artifacts: deadArtifacts, blobs: deadBlobs };
    });
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
