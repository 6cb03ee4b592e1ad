/**
 * Database connection shared by the subgraphs: PGlite (embedded, in a local data folder) by default, a real
 * PostgreSQL server through postgres.js when a URL is given. Each subgraph gets its own drizzle instance over
 * the one connection, with its own statement counter, and migrates only its own PostgreSQL schema.
 */
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
// pg_trgm: the trigram index of households' search text (subgraphs/households, docs/households.md)
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { getTableColumns, sql, type Logger, type SQL } from 'drizzle-orm';
export { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { getTableConfig, type PgDatabase, type PgQueryResultHKT, type PgTable } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { observePglite, observePostgres, poolStats, type PoolStats, type StatementObserver } from './observe.js';
export type { PoolStats, StatementObserver } from './observe.js';

export type Db<TSchema extends Record<string, unknown> = Record<string, unknown>> = PgDatabase<PgQueryResultHKT, TSchema>;

export type Connection =
  | { kind: 'pglite'; pglite: PGlite; describe: string; close(): Promise<void> }
  | { kind: 'postgres'; sql: postgres.Sql; describe: string; close(): Promise<void> };

export interface ConnectOptions {
  /** postgres://… : use a PostgreSQL server. Otherwise PGlite. */
  url?: string;
  /** PGlite data folder; omitted means in memory. */
  dataDir?: string;
  /** postgres.js pool size per process. */
  max?: number;
}

export async function connect(options: ConnectOptions = {}): Promise<Connection> {
  if (options.url) {
    const sql = postgres(options.url, {
      max: options.max ?? 10,
      onnotice: () => {},
      ...poolSettings(),
      // numeric and bigint come back as strings; the VND scalar converts them exactly
      types: { bigint: postgres.BigInt },
      // no JIT: the recursive unit queries are estimated far above their real cost (millions of rows for a few
      // dozen units), and PostgreSQL would spend a second compiling each one for a few milliseconds of work
      connection: { jit: 'off' },
    });
    await sql`select 1`;
    return { kind: 'postgres', sql, describe: describePostgres(options.url), close: () => sql.end({ timeout: 5 }) };
  }
  if (options.dataDir) checkDataDir(options.dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), extensions: { pg_trgm } });
  } catch (error) {
    // PGlite's own errors are WebAssembly file-system objects without a message: a full disk is told by its space left
    if (options.dataDir && freeBytes(options.dataDir) < 16 * 1024 * 1024) {
      throw new DatabaseOpenError(`cannot open the PGlite database in ${options.dataDir}: the disk is full (ENOSPC)`, error);
    }
    throw new DatabaseOpenError(`cannot open the PGlite database in ${options.dataDir ?? 'memory'}: ${fsCause(error)}; if the folder holds another version's or a damaged database, move it away (the next start makes a new one)`, error);
  }
  return {
    kind: 'pglite',
    pglite,
    describe: options.dataDir ? `PGlite in ${options.dataDir}` : 'PGlite in memory',
    close: () => pglite.close(),
  };
}

/** The database cannot be opened at start-up: the message is one line with the cause and the path, nothing else. */
export class DatabaseOpenError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'DatabaseOpenError';
  }
}

const FS_CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full (ENOSPC)', EDQUOT: 'the disk quota is used up (EDQUOT)', EROFS: 'the file system is read-only (EROFS)',
  EACCES: 'permission denied (EACCES)', EPERM: 'operation not permitted (EPERM)', ENOTDIR: 'a part of the path is a file, not a folder (ENOTDIR)',
  EEXIST: 'a file of that name is in the way (EEXIST)', EIO: 'input/output error (EIO)', ENOENT: 'a folder on its path cannot be made (ENOENT)',
};

/** Bytes an unprivileged process may still write on the folder's file system (Infinity when unknown). */
function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}

/** A file-system error in words with its code; else the error's first line. */
function fsCause(error: unknown): string {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 6; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'string' && FS_CAUSES[e.code]) return FS_CAUSES[e.code]!;
  }
  const text = String((error as Error)?.message ?? error);
  const message = (text === '[object Object]' ? `file-system error ${(error as { errno?: unknown })?.errno ?? ''}`.trim() : text).split('\n')[0]!.slice(0, 200);
  return message || 'unknown cause';
}

/** Before PGlite opens a folder: it exists (or is made) and takes a write, else one clear error naming it. */
function checkDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.write-check-${process.pid}`);
    writeFileSync(probe, 'ok');
    rmSync(probe, { force: true });
  } catch (error) {
    throw new DatabaseOpenError(`cannot use the PGlite data folder ${dir}: ${fsCause(error)}`, error);
  }
}

/**
 * How the postgres.js pool meets a database fault (docs/operations.md): a connection attempt gives up after
 * DATABASE_CONNECT_TIMEOUT_MS (1 s; the gateway waits 5 s for a subgraph, so the fault is reported as the
 * database's, not blamed on the subgraph); a connection idle for 20 s is closed and any connection is replaced after
 * 10 min (±), so connections a restart or a failover left half-dead do not linger in the pool. The pause before a
 * failed connection is tried again grows to at most 0.5 s: postgres.js' default grows to 20 s, and a query queued on
 * such a connection waited that long — past the gateway's timeout during an outage, and for up to a minute after it.
 */
export function poolSettings(env: NodeJS.ProcessEnv = process.env): { connect_timeout: number; idle_timeout: number; max_lifetime: number; backoff: (retries: number) => number } {
  const connectMs = Number(env.DATABASE_CONNECT_TIMEOUT_MS ?? 1_000);
  if (!Number.isFinite(connectMs) || connectMs <= 0) throw new Error(`DATABASE_CONNECT_TIMEOUT_MS must be a positive number of ms, got ${env.DATABASE_CONNECT_TIMEOUT_MS}`);
  return {
    connect_timeout: connectMs / 1_000, idle_timeout: 20, max_lifetime: 600,
    backoff: (retries) => Math.min(0.025 * 2 ** retries, 0.5) * (0.5 + Math.random() / 2),
  };
}

/** What a driver's error code says about an unreachable database, in words for /ready. */
function unavailableCause(error: unknown): string {
  const code = (error as { code?: string })?.code;
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'CONNECT_TIMEOUT': case 'ETIMEDOUT': return 'no answer to the connection attempt';
    case 'ENOTFOUND': return 'host not found';
    case '57P01': case '57P02': case '57P03': return 'the server is shutting down or starting';
    case 'CONNECTION_CLOSED': case 'CONNECTION_ENDED': case 'CONNECTION_DESTROYED': case 'ECONNRESET': return 'connection lost';
    default: return code ?? (error as Error)?.message ?? 'unknown cause';
  }
}

/**
 * One round trip to the database (readiness checks); throws when it cannot be reached, with a message naming the
 * database and the cause ("database unavailable: PostgreSQL at 127.0.0.1:5432/ansinh (connection refused)") and the
 * driver's error as `cause` (its code tells the kind of fault).
 */
export async function ping(connection: Connection): Promise<void> {
  if (connection.kind === 'pglite') {
    await connection.pglite.query('select 1');
    return;
  }
  try {
    await connection.sql`select 1`;
  } catch {
    // after a server restart a pooled connection may be dead: postgres.js drops it, a second try gets a fresh one
    try {
      await connection.sql`select 1`;
    } catch (error) {
      throw new Error(`database unavailable: ${connection.describe} (${unavailableCause(error)})`, { cause: error });
    }
  }
}

/** "PostgreSQL at host:port/database": where, never who or with which password. */
function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname}:${u.port || 5432}${u.pathname || '/'}`;
  } catch {
    return redact(url);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/** Counts SQL statements a subgraph sends: tests compare counts, not times. */
export class StatementCounter implements Logger {
  count = 0;
  readonly statements: string[] = [];
  keep = false;
  logQuery(query: string): void {
    this.count += 1;
    if (this.keep) this.statements.push(query);
  }
  reset(): void {
    this.count = 0;
    this.statements.length = 0;
  }
}

/**
 * A subgraph's drizzle instance over the connection. `logger` counts statements (StatementCounter); `observe` is told
 * when each statement starts and ends (metrics, tracing: see observe.ts).
 */
export function database<TSchema extends Record<string, unknown>>(
  connection: Connection,
  schema: TSchema,
  logger?: Logger,
  observe?: StatementObserver,
): Db<TSchema> {
  const pool = connectionPool(connection);
  if (connection.kind === 'pglite') return drizzlePglite({ client: observePglite(connection.pglite, pool, observe), schema, logger }) as unknown as Db<TSchema>;
  return drizzlePostgres({ client: observePostgres(connection.sql, pool, observe), schema, logger }) as unknown as Db<TSchema>;
}

/** How many of the connection's pooled connections are in use now, as seen by the subgraphs' drizzle instances. */
export function connectionPool(connection: Connection): PoolStats {
  return connection.kind === 'pglite' ? poolStats(connection.pglite, 1) : poolStats(connection.sql, connection.sql.options.max);
}

/** Applies a subgraph's drizzle-kit migrations; one bookkeeping table per subgraph. */
export async function migrate(connection: Connection, db: Db<any>, migrationsFolder: string, pgSchema: string): Promise<void> {
  // the bookkeeping lives outside the subgraph's schema, whose first migration creates it
  const config = { migrationsFolder, migrationsSchema: 'drizzle', migrationsTable: `${pgSchema}_migrations` };
  if (connection.kind === 'pglite') await migratePglite(db as any, config);
  else await migratePostgres(db as any, config);
}

/** Inserts rows in batches (PostgreSQL allows 65,535 parameters per statement). */
export async function insertInBatches<T extends object>(
  rows: T[],
  insert: (batch: T[]) => Promise<unknown>,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!).length || 1;
  const size = Math.max(1, Math.floor(60_000 / columns));
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/** Runs raw SQL and returns its rows, whichever driver is underneath (PGlite wraps them, postgres.js does not). */
export async function rows<T>(db: Db<any>, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows?: T[] } | T[];
  return Array.isArray(result) ? result : (result.rows ?? []);
}
export * from './programme.js';
export * from './access-log.js';
export * from './units.js';
export * from './registry.js';
export * from './summaries.js';
export * from './hierarchy.js';
export * from './scratch.js';
export * from './enums.js';
export * from './cancel.js';

/**
 * Inserts many rows with one parameter per statement: the rows travel as one JSON document that PostgreSQL turns
 * back into rows (`json_to_recordset`), which is several times faster than a multi-row VALUES with thousands of
 * parameters and works the same on PGlite and postgres.js. Rows are keyed by the table's property names.
 */
export async function bulkInsert(db: Db<any>, table: PgTable, rows: object[], batchSize = 20_000, onBatch?: (n: number) => void): Promise<void> {
  if (rows.length === 0) return;
  const config = getTableConfig(table);
  const columns = Object.entries(getTableColumns(table)).filter(([prop]) => prop in (rows[0] as object));
  const target = `"${config.schema ?? 'public'}"."${config.name}"`;
  const names = columns.map(([, c]) => `"${c.name}"`).join(', ');
  const types = columns.map(([, c]) => `"${c.name}" ${c.getSQLType()}`).join(', ');
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize).map((row) => Object.fromEntries(columns.map(([prop, c]) => [c.name, (row as Record<string, unknown>)[prop] ?? null])));
    await db.execute(sql`${sql.raw(`insert into ${target} (${names}) select ${names} from json_to_recordset(`)}${JSON.stringify(batch)}${sql.raw(`::json) as x(${types})`)}`);
    onBatch?.(batch.length);
  }
}

/**
 * Updates many rows in one statement per batch: each row's columns (those of the first row) set where its `keys`
 * columns match, from one JSON parameter (as `bulkInsert`), instead of one UPDATE per row.
 */
export async function bulkUpdate(db: Db<any>, table: PgTable, rows: object[], keys: string[], batchSize = 10_000): Promise<void> {
  if (rows.length === 0) return;
  const config = getTableConfig(table);
  const columns = Object.entries(getTableColumns(table)).filter(([prop]) => prop in (rows[0] as object));
  const target = `"${config.schema ?? 'public'}"."${config.name}"`;
  const keyNames = new Set(keys.map((k) => getTableColumns(table)[k]!.name));
  const types = columns.map(([, c]) => `"${c.name}" ${c.getSQLType()}`).join(', ');
  const set = columns.filter(([, c]) => !keyNames.has(c.name)).map(([, c]) => `"${c.name}" = x."${c.name}"`).join(', ');
  const where = [...keyNames].map((n) => `t."${n}" = x."${n}"`).join(' and ');
  if (!set) return;
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize).map((row) => Object.fromEntries(columns.map(([prop, c]) => [c.name, (row as Record<string, unknown>)[prop] ?? null])));
    await db.execute(sql`${sql.raw(`update ${target} as t set ${set} from json_to_recordset(`)}${JSON.stringify(batch)}${sql.raw(`::json) as x(${types}) where ${where}`)}`);
  }
}
