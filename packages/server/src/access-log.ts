/**
 * The access log: every read of an individual's unmasked sensitive fields, one row per entity and request (the
 * fields it served, deduplicated), written in one INSERT when the subgraph sends its response. Each subgraph
 * keeps its own append-only `<schema>.access_log` table (same columns everywhere, see docs/security.md).
 */
import { sql, type accessLogTable, type Db } from '@ansinh/db';
import { badInput, decodeCursor, encodeCursor } from './errors.js';
import { callerMayReadAccessLog, forbidden, type Caller } from './identity.js';

export interface AccessLogRow {
  subject: string;
  role: string;
  entityType: string;
  entityId: string;
  householdId: string | null;
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
  private readonly reads = new Map<string, { entityType: string; entityId: string; householdId: string | null; fields: Set<string> }>();

  constructor(
    private readonly caller: Caller,
    private readonly write: (rows: AccessLogRow[]) => Promise<unknown>,
    private readonly logged: LoggedReads = new LoggedReads(),
  ) {}

  /** Notes that `field` of the entity (an individual or a record of the household `householdId`) was served unmasked. */
  record(entityType: string, entityId: string, field: string, householdId: string | null): void {
    const key = `${entityType}:${entityId}`;
    let read = this.reads.get(key);
    if (!read) this.reads.set(key, (read = { entityType, entityId, householdId, fields: new Set() }));
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
      householdId: r.householdId,
      fields: [...r.fields].filter((f) => fresh.has(`${r.entityType}:${r.entityId}:${f}`)).sort(),
      operationName: this.caller.operationName,
      requestId: this.caller.requestId,
    })).filter((r) => r.fields.length > 0);
    if (rows.length) await this.write(rows);
  }
}

/** The largest page of access-log entries one subgraph returns (`first`). */
export const ACCESS_LOG_PAGE = 100;

/** The access log as an entity: its key is the period it covers, [since, until). */
export interface AccessLogRef {
  since: string;
  until: string;
}

const isoTime = (value: string, argument: string) => {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw badInput(`"${argument}" must be an ISO 8601 time such as 2026-01-01T00:00:00Z, got "${value}"`, argument);
  }
  return new Date(value).toISOString();
};

/**
 * The access log from `since` to `until` (now when omitted, fixed when asked so that its pages hold still): ADMIN
 * only. Each subgraph adds its own entries to the same `AccessLog`.
 */
export function accessLogSince(caller: Caller, since: string, until?: string | null): AccessLogRef {
  if (!callerMayReadAccessLog(caller)) throw forbidden('Only ADMIN may read the access log');
  const from = isoTime(since, 'since');
  const to = until ? isoTime(until, 'until') : new Date().toISOString();
  if (to < from) throw badInput(`"until" (${to}) is before "since" (${from})`, 'until');
  return { since: from, until: to };
}

/**
 * One subgraph's entries of the access log in [since, until), in the order they were written, a page at a time (a
 * cursor is an entry's position), so a busy hour can be read back whole. ADMIN only.
 */
export async function accessLogEntries(db: Db<any>, table: ReturnType<typeof accessLogTable>, caller: Caller, log: AccessLogRef, subgraph: string, page: { first?: number | null; after?: string | null }) {
  if (!callerMayReadAccessLog(caller)) throw forbidden('Only ADMIN may read the access log');
  const limit = page.first ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > ACCESS_LOG_PAGE) throw badInput(`"first" must be between 1 and ${ACCESS_LOG_PAGE}, got ${limit}`, 'first');
  const after = decodeCursor(page.after);
  if (after !== undefined && !/^\d+$/.test(after)) throw badInput(`"after" is not a cursor this API returned: "${page.after}"`, 'after');
  // in the order entries were written (their id): a total order that pages cannot skip or repeat, whatever the
  // precision of the times
  const found = await db.select().from(table)
    .where(sql`${table.at} >= ${log.since}::timestamptz and ${table.at} < ${log.until}::timestamptz ${after === undefined ? sql`` : sql`and ${table.id} > ${Number(after)}`}`)
    .orderBy(table.id).limit(limit + 1);
  const nodes = found.slice(0, limit).map((r) => ({ ...r, at: r.at.toISOString(), subgraph }));
  const cursor = (r: { id: number }) => encodeCursor(String(r.id));
  return {
    edges: nodes.map((node) => ({ cursor: cursor(node), node })),
    pageInfo: {
      hasNextPage: found.length > limit, hasPreviousPage: after !== undefined,
      startCursor: nodes[0] ? cursor(nodes[0]) : null, endCursor: nodes.at(-1) ? cursor(nodes.at(-1)!) : null,
    },
  };
}

/**
 * The `AccessLog` entity's resolvers in one subgraph: the log from its key (the same rule in every subgraph) and
 * this subgraph's entries under the field named after it.
 */
export function accessLogResolvers<N extends string>(subgraph: N, table: ReturnType<typeof accessLogTable>) {
  type Ctx = { db: Db<any>; caller: Caller };
  const entries = (log: AccessLogRef, page: { first?: number | null; after?: string | null }, ctx: Ctx) => accessLogEntries(ctx.db, table, ctx.caller, log, subgraph, page);
  return {
    __resolveReference: (ref: { since: string; until?: string | null }, ctx: Ctx) => accessLogSince(ctx.caller, ref.since, ref.until),
    [subgraph]: entries,
  } as { __resolveReference: (ref: { since: string; until?: string | null }, ctx: Ctx) => AccessLogRef } & Record<N, typeof entries>;
}
