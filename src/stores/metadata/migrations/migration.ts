/** The shape of a numbered schema migration. @module */
import type { Kysely } from "kysely";

/** SQL dialects Koan's metadata stores speak. */
export type SqlDialectName = "sqlite" | "postgres";

/** One schema change. Versions are consecutive from 1; a migration never changes once released. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Kysely<unknown>, dialect: SqlDialectName): Promise<void>;
}
