/**
 * Overload without collapse (issue 11, item 3; docs/performance.md "Gateway and overload"): beyond its bound of
 * requests in flight and queued, a server answers at once with 503, Retry-After and SERVER_OVERLOADED instead of
 * letting every request time out; a subgraph request whose deadline (x-ansinh-deadline-ms, from the gateway) passes,
 * or whose caller hangs up, has its SQL cancelled (PostgreSQL: pg_stat_activity shows it gone); the gateway sends
 * its remaining time to the subgraphs and hangs up when it stops waiting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { database, rows, sql } from '@ansinh/db';
import { startGateway, type RunningGateway } from '@ansinh/gateway';
import { DEADLINE_HEADER, INTERNAL_HEADER, signInternalToken, startSubgraph, type RunningSubgraph } from '@ansinh/server';
import { TEST_JWT_SECRET, TEST_SUBGRAPH_TIMEOUT_MS, testSystem, tokenFor, type TestSystem } from './harness.js';

const onPostgres = inject('database').kind === 'postgres';
/** marks this file's own statements in pg_stat_activity */
const MARK = `overload_test_${process.pid}`;

let t: TestSystem;
let dir: string;
beforeAll(async () => {
  t = await testSystem();
  dir = mkdtempSync(join(tmpdir(), 'ansinh-overload-'));
  writeFileSync(join(dir, 'schema.graphql'), `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Query {
      "waits in Node, holding a slot"
      wait(ms: Int!): Int
      "waits in PostgreSQL (pg_sleep)"
      sqlSleep(seconds: Float!): Int
    }`);
});
afterAll(async () => {
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A small subgraph over the test database: its resolvers wait in Node or in SQL. */
async function slowSubgraph(admission: Parameters<typeof startSubgraph>[1]['admission']): Promise<RunningSubgraph> {
  const db = database(t.connection, {});
  return startSubgraph({
    name: 'slow',
    schemaFile: pathToFileURL(join(dir, 'schema.graphql')),
    resolvers: {
      Query: {
        wait: async (_: unknown, { ms }: { ms: number }) => { await new Promise((r) => setTimeout(r, ms)); return ms; },
        sqlSleep: async (_: unknown, { seconds }: { seconds: number }) => {
          await rows(db, sql`select pg_sleep(${seconds}) as ${sql.raw(`"${MARK}"`)}`);
          return 1;
        },
      },
    },
    context: (caller) => ({ caller }),
  }, { port: 0, internalSecret: t.system.internalSecret, admission });
}

async function ask(url: string, query: string, headers: Record<string, string> = {}, signal?: AbortSignal) {
  const token = await signInternalToken({ sub: 'test', role: 'ADMIN', units: [], requestId: 'overload-test', operationName: null }, t.system.internalSecret);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [INTERNAL_HEADER]: token, ...headers }, body: JSON.stringify({ query }), signal });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
}

/** This file's pg_sleep statements running now. */
async function sleeping(): Promise<number> {
  const [r] = await rows<{ n: number }>(database(t.connection, {}), sql`select count(*)::int as n from pg_stat_activity where query like ${`%"${MARK}"%`} and query not like '%pg_stat_activity%' and state = 'active'`);
  return r!.n;
}

async function until(check: () => Promise<boolean>, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('a bounded number of requests in flight', () => {
  it.each([
    // [in flight, queued, queue timeout ms, simultaneous requests of 400 ms, answered 200, answered 503]
    [2, 2, 10_000, 8, 4, 4],
    [1, 0, 10_000, 3, 1, 2],
    // the queue holds them, but not for longer than its timeout
    [1, 5, 100, 3, 1, 2],
  ])('in flight %i, queued %i (wait ≤ %i ms): %i at once get %i answers and %i refusals with Retry-After', async (maxInFlight, maxQueued, queueTimeoutMs, n, ok, refused) => {
    const s = await slowSubgraph({ maxInFlight, maxQueued, queueTimeoutMs, retryAfterSeconds: 1 });
    try {
      const answers = await Promise.all(Array.from({ length: n }, () => ask(s.url, '{ wait(ms: 400) }')));
      const good = answers.filter((a) => a.status === 200);
      const busy = answers.filter((a) => a.status === 503);
      expect(good.length).toBe(ok);
      expect(busy.length).toBe(refused);
      // every request got an answer: data, or a refusal a client can act on
      for (const a of good) expect(a.body).toEqual({ data: { wait: 400 } });
      for (const a of busy) {
        expect(a.retryAfter).toBe('1');
        expect(a.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'SERVER_OVERLOADED' } })]);
      }
      // and the bound frees up: the next request is served
      expect((await ask(s.url, '{ wait(ms: 1) }')).body).toEqual({ data: { wait: 1 } });
      expect(s.admission).toMatchObject({ inFlight: 0, queued: 0, refused });
    } finally {
      await s.close();
    }
  });

  it('the gateway refuses beyond its bound with 503 and SERVER_OVERLOADED, and answers the rest in full', async () => {
    const gateway = await startGateway({
      port: 0, explorer: false, trustedDocuments: false, rateLimit: null,
      urls: Object.fromEntries(Object.entries(t.system.subgraphs).map(([name, s]) => [name, s.url])),
      timeouts: Object.fromEntries(Object.keys(t.system.subgraphs).map((name) => [name, TEST_SUBGRAPH_TIMEOUT_MS])),
      internalSecret: t.system.internalSecret, auth: { jwtSecret: TEST_JWT_SECRET },
      admission: { maxInFlight: 1, maxQueued: 1, queueTimeoutMs: 60_000, retryAfterSeconds: 1 },
    });
    try {
      const authorization = `Bearer ${await tokenFor('ADMIN')}`;
      const query = '{ households(unitCode: "775", first: 20) { edges { node { code members { fullName } loans { code } housingSupports { kind } } } } }';
      const answers = await Promise.all(Array.from({ length: 10 }, async () => {
        const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query }) });
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] } };
      }));
      const good = answers.filter((a) => a.status === 200);
      const busy = answers.filter((a) => a.status === 503);
      expect(good.length + busy.length).toBe(10);
      expect(good.length).toBeGreaterThanOrEqual(2);
      expect(busy.length).toBeGreaterThanOrEqual(1);
      for (const a of good) {
        expect(a.body.errors).toBeUndefined();
        expect(a.body.data.households.edges).toHaveLength(20);
      }
      for (const a of busy) {
        expect(a.retryAfter).toBe('1');
        expect(a.body.errors?.[0]?.extensions?.code).toBe('SERVER_OVERLOADED');
      }
    } finally {
      await gateway.close();
    }
  });
});

describe.runIf(onPostgres)('a request whose deadline passes (PostgreSQL)', () => {
  let s: RunningSubgraph;
  beforeAll(async () => { s = await slowSubgraph(null); });
  afterAll(async () => { await s?.close(); });

  it('has its SQL cancelled when the deadline the gateway sent passes', async () => {
    const answer = await ask(s.url, '{ sqlSleep(seconds: 60) }', { [DEADLINE_HEADER]: '300' });
    expect(answer.body).toEqual({ data: { sqlSleep: null }, errors: [expect.objectContaining({ path: ['sqlSleep'], extensions: { code: 'DEADLINE_EXCEEDED' } })] });
    expect(await until(async () => (await sleeping()) === 0)).toBe(true);
  });

  it('has its SQL cancelled when its caller hangs up', async () => {
    const controller = new AbortController();
    const pending = ask(s.url, '{ sqlSleep(seconds: 60) }', {}, controller.signal).catch((e: Error) => e.name);
    expect(await until(async () => (await sleeping()) === 1)).toBe(true);
    controller.abort();
    expect(await pending).toBe('AbortError');
    expect(await until(async () => (await sleeping()) === 0)).toBe(true);
  });
});

/** Stands in for a subgraph: records the headers of each request, and never answers (a hung subgraph). */
function blackHole() {
  const seen: { headers: IncomingHttpHeaders; closedByCaller: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    const entry = { headers: req.headers, closedByCaller: false };
    seen.push(entry);
    res.once('close', () => { entry.closedByCaller = !res.writableFinished; });
  });
  return {
    seen,
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('the gateway\'s deadline', () => {
  let hole: ReturnType<typeof blackHole>;
  let gateway: RunningGateway;
  beforeAll(async () => {
    hole = blackHole();
    const housing = await hole.start();
    gateway = await startGateway({
      port: 0, explorer: false, trustedDocuments: false, rateLimit: null, retry: { retries: 0, baseDelayMs: 50 },
      urls: { ...Object.fromEntries(Object.entries(t.system.subgraphs).map(([name, s]) => [name, s.url])), housing },
      timeouts: Object.fromEntries(Object.keys(t.system.subgraphs).map((name) => [name, TEST_SUBGRAPH_TIMEOUT_MS])),
      internalSecret: t.system.internalSecret, auth: { jwtSecret: TEST_JWT_SECRET },
      requestTimeoutMs: 1_500,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await hole?.close();
  });

  it('travels to the subgraph as its remaining time, and the gateway hangs up when it has passed', async () => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor('ADMIN')}` },
      body: JSON.stringify({ query: '{ householdByCode(code: "27373-00012") { code housingSupports { kind } } }' }),
    });
    const body = (await res.json()) as { data?: any; errors?: { extensions?: Record<string, unknown> }[] };
    expect(body.data.householdByCode).toEqual({ code: '27373-00012', housingSupports: null });
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'housing' }) })]);
    expect(hole.seen).toHaveLength(1);
    const given = Number(hole.seen[0]!.headers[DEADLINE_HEADER]);
    expect(given).toBeGreaterThan(0);
    expect(given).toBeLessThanOrEqual(1_500);
    // the subgraph sees its caller go: that is what cancels its SQL (above)
    expect(await until(async () => hole.seen[0]!.closedByCaller)).toBe(true);
  });
});
