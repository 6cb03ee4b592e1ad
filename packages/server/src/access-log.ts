/**
 * The access log: every read of an individual's unmasked sensitive fields, one row per entity and request (the
 * fields it served, deduplicated), written in one INSERT when the subgraph sends its response. Each subgraph
 * keeps its own append-only `<schema>.access_log` table (same columns everywhere, see docs/security.md).
 */
import { sql, type accessLogTable, type Db } from '@ansinh/db';
import { badInput } from './errors.js';
import { callerMayReadAccessLog, forbidden, type Caller } from './identity.js';

export interface AccessLogRow {
  subject: string;
  role: string;
  entityType: string;
  entityId: string;
  fields: string[];
  operationName: string | null;
  requestId: string;
}

/**
 * What this subgraph process has logged per request id, for a few minutes: the gateway may call a subgraph more
 * than once for one client request (aliases, several entity fetches), and each sensitive field of an entity is
 * logged once per client request. Shared by the requests of one subgraph.
 */
export class LoggedReads {
  private readonly byRequest = new Map<string, { at: number; keys: Set<string> }>();

  constructor(private readonly ttlMs = 5 * 60_000) {}

  /** Marks the keys logged for a request; returns those that were not yet. */
  claim(requestId: string, keys: string[]): Set<string> {
    const now = Date.now();
    for (const [id, entry] of this.byRequest) if (now - entry.at > this.ttlMs) this.byRequest.delete(id); else break;
    let entry = this.byRequest.get(requestId);
    if (!entry) this.byRequest.set(requestId, (entry = { at: now, keys: new Set() }));
    const fresh = new Set(keys.filter((k) => !entry.keys.has(k)));
    for (const k of fresh) entry.keys.add(k);
    return fresh;
  }
}

export class AccessRecorder {
  private readonly reads = new Map<string, { entityType: string; entityId: string; fields: Set<string> }>();

  constructor(
    private readonly caller: Caller,
    private readonly write: (rows: AccessLogRow[]) => Promise<unknown>,
    private readonly logged: LoggedReads = new LoggedReads(),
  ) {}

  /** Notes that `field` of the entity was served unmasked to the caller. */
  record(entityType: string, entityId: string, field: string): void {
    const key = `${entityType}:${entityId}`;
    let read = this.reads.get(key);
    if (!read) this.reads.set(key, (read = { entityType, entityId, fields: new Set() }));
    read.fields.add(field);
  }

  get size(): number {
    return this.reads.size;
  }

  /** Writes what was recorded (one statement), then forgets it. */
  async flush(): Promise<void> {
    if (this.reads.size === 0) return;
    const reads = [...this.reads.values()];
    this.reads.clear();
    const fresh = this.logged.claim(this.caller.requestId, reads.flatMap((r) => [...r.fields].map((f) => `${r.entityType}:${r.entityId}:${f}`)));
    const rows = reads.map((r) => ({
      subject: this.caller.sub,
      role: this.caller.role,
      entityType: r.entityType,
      entityId: r.entityId,
      fields: [...r.fields].filter((f) => fresh.has(`${r.entityType}:${r.entityId}:${f}`)).sort(),
      operationName: this.caller.operationName,
      requestId: this.caller.requestId,
    })).filter((r) => r.fields.length > 0);
    if (rows.length) await this.write(rows);
  }
}

/** How many entries one subgraph returns per query, newest first. */
export const ACCESS_LOG_PAGE = 500;

/** The access log as an entity: its key is the time it starts from. */
export interface AccessLogRef {
  since: string;
}

/** The access log since a time: ADMIN only. Each subgraph adds its own entries to the same `AccessLog`. */
export function accessLogSince(caller: Caller, since: string): AccessLogRef {
  if (!callerMayReadAccessLog(caller)) throw forbidden('Only ADMIN may read the access log');
  if (Number.isNaN(Date.parse(since))) throw badInput(`"since" must be an ISO 8601 time such as 2026-01-01T00:00:00Z, got "${since}"`, 'since');
  return { since };
}

/** One subgraph's entries of the access log since a time, newest first (ADMIN only). */
export async function accessLogEntries(db: Db<any>, table: ReturnType<typeof accessLogTable>, caller: Caller, since: string, subgraph: string) {
  if (!callerMayReadAccessLog(caller)) throw forbidden('Only ADMIN may read the access log');
  const rows = await db.select().from(table).where(sql`${table.at} >= ${new Date(since).toISOString()}::timestamptz`).orderBy(sql`${table.at} desc, ${table.id} desc`).limit(ACCESS_LOG_PAGE);
  return rows.map((r) => ({ ...r, at: r.at.toISOString(), subgraph }));
}
