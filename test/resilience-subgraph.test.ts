/**
 * Subgraph failure: a subgraph stopped or slow mid-test gives partial data (the other subgraphs' fields) and an
 * error naming the missing subgraph, within its timeout; /ready names it; the gateway recovers by itself.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '@ansinh/gateway';
import { startSubgraph } from '@ansinh/server';
import { testSystem, type TestSystem } from './harness.js';
import { TEST_JWT_SECRET, TEST_SUBGRAPH_TIMEOUT_MS, tokenFor } from './harness.js';

const PICTURE = `{ householdByCode(code: "27373-00012") { code unit { name } members { fullName } loans { programme } housingSupports { kind } } }`;

let t: TestSystem;
beforeAll(async () => { t = await testSystem(); });
afterAll(async () => { await t?.close(); });

async function post(url: string, query: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor('ADMIN')}` },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

describe('a subgraph that is down', () => {
  it('gives the other subgraphs\' data, names the missing subgraph, and comes back when it does', async () => {
    const before = await t.query(PICTURE);
    expect(before.errors).toBeUndefined();
    expect(before.data.householdByCode.loans.length).toBeGreaterThan(0);

    // stop the credit subgraph for real: its port refuses connections
    const credit = t.system.subgraphs.credit;
    const port = credit.port;
    await credit.close();

    const during = await t.query(PICTURE);
    expect(during.data.householdByCode).toMatchObject({
      code: '27373-00012',
      unit: before.data.householdByCode.unit,
      members: before.data.householdByCode.members,
      housingSupports: before.data.householdByCode.housingSupports,
      loans: null,
    });
    expect(during.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'credit', reason: 'connection refused' }) }),
    ]);
    expect(during.errors![0]!.message).toContain('credit subgraph is unavailable');

    const ready = await fetch(new URL('/ready', t.url));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'not ready',
      subgraphs: { households: 'up', credit: 'down', health: 'up', housing: 'up' },
      down: { credit: 'ECONNREFUSED' },
    });

    // start it again on the same port: the gateway needs no restart
    t.system.subgraphs.credit = await startSubgraph(t.system.services.credit.definition, { port, internalSecret: t.system.internalSecret });
    const after = await t.query(PICTURE);
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual(before.data);
    expect((await fetch(new URL('/ready', t.url))).status).toBe(200);
  });
});

/** A proxy in front of a subgraph that forwards, or holds requests without answering (a hung subgraph). */
function hangingProxy(target: string) {
  const held: (() => void)[] = [];
  const state = { hang: false };
  const server: Server = createServer((req, res) => {
    if (state.hang) {
      held.push(() => res.destroy());
      return;
    }
    const url = new URL(req.url ?? '/', target);
    const upstream = request(url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return {
    state,
    async start() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    },
    async close() {
      for (const release of held) release();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a subgraph that is slow', () => {
  let proxy: ReturnType<typeof hangingProxy>;
  let gateway: RunningGateway;
  beforeAll(async () => {
    proxy = hangingProxy(t.system.subgraphs.housing.url);
    const housingUrl = await proxy.start();
    gateway = await startGateway({
      port: 0,
      explorer: false,
      urls: { households: t.system.subgraphs.households.url, credit: t.system.subgraphs.credit.url, health: t.system.subgraphs.health.url, housing: housingUrl },
      // only housing is short: the others get the suite's generous wait, as a loaded machine needs
      timeouts: { households: TEST_SUBGRAPH_TIMEOUT_MS, credit: TEST_SUBGRAPH_TIMEOUT_MS, health: TEST_SUBGRAPH_TIMEOUT_MS, housing: 300 },
      internalSecret: t.system.internalSecret,
      auth: { jwtSecret: TEST_JWT_SECRET },
      trustedDocuments: false,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
  });

  it('is given up on after its own timeout, with the rest of the answer, and used again once it answers', async () => {
    const full = await post(gateway.url, PICTURE);
    expect(full.errors).toBeUndefined();

    proxy.state.hang = true;
    const partial = await post(gateway.url, PICTURE);
    expect(partial.data.householdByCode).toMatchObject({ code: '27373-00012', loans: full.data.householdByCode.loans, housingSupports: null });
    expect(partial.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'housing', reason: 'no answer within 300 ms' }) }),
    ]);
    const ready = await fetch(new URL('/ready', gateway.url));
    expect(await ready.json()).toMatchObject({ subgraphs: { housing: 'down', credit: 'up' }, down: { housing: 'no answer within 300 ms' } });

    proxy.state.hang = false;
    const again = await post(gateway.url, PICTURE);
    expect(again).toEqual(full);
  });
});
