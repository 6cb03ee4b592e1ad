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
    system = await startSystem({ connection, port: 0, subgraphBasePort: 0, demo: false, explorer: false, auth: { jwtSecret: TEST_JWT_SECRET }, trustedDocuments: false });
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
    const during = await query();
    expect(during.data?.householdByCode ?? null).toBeNull();
    expect(during.errors?.[0]).toMatchObject({
      message: 'The database is unavailable (restarting or unreachable); retry in a moment.',
      extensions: { code: 'DATABASE_UNAVAILABLE' },
    });
    const ready = await fetch(new URL('/ready', system.gateway.url));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      subgraphs: { households: 'down', credit: 'down', health: 'down', housing: 'down' },
      down: { households: 'database unavailable' },
    });

    await cluster.start();
    const after = await query();
    expect(after).toEqual(before);
    // every subgraph reports ready again by itself (a pooled connection may take a moment to be replaced)
    let body: { status?: string } = {};
    for (let i = 0; i < 30 && body.status !== 'ready'; i++) {
      body = await (await fetch(new URL('/ready', system.gateway.url))).json();
      if (body.status !== 'ready') await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(body).toMatchObject({ status: 'ready' });
  });

  it('survives a restart between two requests (connections the server closed are replaced)', async () => {
    const before = await query();
    await cluster.restart();
    // the pool's connections were terminated by the restart; the next request must not see that
    const after = await query();
    expect(after).toEqual(before);
  });
});
