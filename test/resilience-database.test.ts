/**
 * Database failure on a real PostgreSQL server: a throwaway cluster is stopped and restarted mid-test. During the
 * outage a request gets DATABASE_UNAVAILABLE (not a hang) and /ready names the subgraphs that cannot serve; after
 * it the subgraphs answer again without being restarted (postgres.js opens new connections).
 * Runs only with TEST_DATABASE_URL (the PostgreSQL project) and the server binaries (initdb, pg_ctl).
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connect, type Connection } from '@ansinh/db';
import { startSystem, type RunningSystem } from '@ansinh/gateway';
import { prepareAll, TEST_JWT_SECRET, tokenFor } from './harness.js';
import { createCluster, haveClusterTools, type Cluster } from './support/cluster.js';
import { describeNeeding } from './support/needs.js';

// the PostgreSQL project's test (PGlite has no server to stop); there it needs the server binaries, or fails in CI
const onPostgres = inject('database').kind === 'postgres';
const CLUSTER_TOOLS = { what: 'the PostgreSQL server binaries (initdb, pg_ctl)', available: onPostgres && haveClusterTools(), hint: "Debian's postgresql package, its bin folder on the PATH" };
const describeHere = onPostgres ? (name: string, fn: () => void) => describeNeeding(CLUSTER_TOOLS, name, fn) : describe.skip;
const QUERY = `{ householdByCode(code: "27373-00012") { code members { fullName } loans { programme } } }`;

describeHere('PostgreSQL restarted mid-test', () => {
  let cluster: Cluster;
  let connection: Connection;
  let system: RunningSystem;
  const query = async () => {
    const res = await fetch(system.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor('ADMIN')}` },
      body: JSON.stringify({ query: QUERY }),
    });
    return (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  };

  beforeAll(async () => {
    cluster = await createCluster();
    connection = await connect({ url: cluster.url, max: 4 });
    await prepareAll(connection);
    // the gateway waits 3 s for a subgraph: a database fault that took longer would be blamed on the subgraph
    // (SUBGRAPH_UNAVAILABLE, timeout) instead of reported as DATABASE_UNAVAILABLE
    system = await startSystem({
      connection, port: 0, subgraphBasePort: 0, demo: false, explorer: false, auth: { jwtSecret: TEST_JWT_SECRET }, trustedDocuments: false,
      timeouts: { households: 3_000, credit: 3_000, health: 3_000, housing: 3_000 }, retry: { retries: 0, baseDelayMs: 50 },
    });
  });
  afterAll(async () => {
    await system?.close();
    await connection?.close();
    await cluster?.destroy();
  });

  it('answers, fails clearly while the server is down, and answers again once it is back', async () => {
    const before = await query();
    expect(before.errors).toBeUndefined();
    expect(before.data.householdByCode.code).toBe('27373-00012');

    await cluster.stop();
    // every request while it is down: DATABASE_UNAVAILABLE from the households subgraph, which says so
    for (let i = 0; i < 5; i++) {
      const during = await query();
      expect(during.data?.householdByCode ?? null).toBeNull();
      expect(during.errors?.[0]).toMatchObject({
        message: 'The households subgraph cannot reach its database (restarting or unreachable); retry in a moment.',
        extensions: { code: 'DATABASE_UNAVAILABLE', subgraph: 'households' },
      });
    }
    const ready = await fetch(new URL('/ready', system.gateway.url));
    expect(ready.status).toBe(503);
    const readyBody = await ready.json();
    expect(readyBody).toMatchObject({ subgraphs: { households: 'down', credit: 'down', health: 'down', housing: 'down' } });
    // the reason names the database (host, port, database; never a password)
    expect(readyBody.down.households).toBe(`database unavailable: PostgreSQL at 127.0.0.1:${cluster.port}/postgres (connection refused)`);

    await cluster.start();
    // no slow tail: from the first request on, every answer is whole (a stale pooled connection would show here as a
    // DATABASE_UNAVAILABLE or a 3 s timeout)
    for (let i = 0; i < 20; i++) expect(await query()).toEqual(before);
    // every subgraph reports ready again by itself
    const body = await (await fetch(new URL('/ready', system.gateway.url))).json();
    expect(body).toMatchObject({ status: 'ready' });
  });

  it('survives a restart between two requests (connections the server closed are replaced)', async () => {
    const before = await query();
    await cluster.restart();
    // the pool's connections were terminated by the restart; the next request must not see that
    for (let i = 0; i < 10; i++) expect(await query()).toEqual(before);
  });
});
