/**
 * Portability: Hive Gateway (@graphql-hive/gateway, another Federation 2 router) serves the committed
 * supergraph.graphql over our running subgraphs, passing the caller as our subgraphs require (x-ansinh-caller,
 * signed by gateway/hive/gateway.config.ts), and answers the household picture and an area report exactly as our
 * gateway does, for an officer and an analyst. Without a client token it gets nothing from the subgraphs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '@ansinh/gateway';
import { TEST_JWT_SECRET, sharedSystem, tokenFor, type TestSystem } from './harness.js';
import { ROOT, start, type Started } from './support/processes.js';
import { freePort } from './support/ports.js';

const require = createRequire(import.meta.url);
const hivePackage = require.resolve('@graphql-hive/gateway/package.json');
const HIVE_BIN = join(dirname(hivePackage), (JSON.parse(readFileSync(hivePackage, 'utf8')) as { bin: Record<string, string> }).bin['hive-gateway']!);
const operation = (name: string) => readFileSync(join(ROOT, `gateway/operations/${name}.graphql`), 'utf8');

let t: TestSystem;
let hive: Started;
let hiveUrl: string;

beforeAll(async () => {
  t = await sharedSystem();
  const port = await freePort();
  const urls = Object.fromEntries(SUBGRAPHS.map((s) => [`${s.name.toUpperCase()}_URL`, t.system.subgraphs[s.name].url]));
  hive = start([HIVE_BIN, 'supergraph', join(ROOT, 'supergraph.graphql'), '-c', 'gateway/hive/gateway.config.ts', '--port', String(port), '--host', '127.0.0.1'], {
    PATH: process.env.PATH, ...urls, JWT_SECRET: TEST_JWT_SECRET, ANSINH_INTERNAL_SECRET: t.system.internalSecret, NODE_ENV: 'production',
  });
  await hive.waitFor(/Listening on (http:\/\/\S+)/);
  hiveUrl = `http://127.0.0.1:${port}/graphql`;
});
afterAll(async () => {
  await hive?.stop();
  await t?.close();
});

async function post(url: string, query: string, variables: Record<string, unknown>, authorization?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: { message: string }[] };
}

describe('Hive Gateway on the committed supergraph', () => {
  it.each([
    ['HouseholdPicture', { code: '27346-00097' }, 'WARD_OFFICER', ['27346']],
    ['HouseholdPicture', { code: '27373-00012' }, 'ADMIN', []],
    ['DistrictReport', { unitCode: '775', year: 2022 }, 'ANALYST', []],
    ['DistrictReport', { unitCode: '775', year: 2022 }, 'CITY_INTEGRATOR', ['79']],
  ] as const)('answers %s (%j) for a %s as our gateway does', async (name, variables, role, units) => {
    const authorization = `Bearer ${await tokenFor(role, [...units])}`;
    const [ours, theirs] = await Promise.all([post(t.url, operation(name), variables, authorization), post(hiveUrl, operation(name), variables, authorization)]);
    expect(ours.errors).toBeUndefined();
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data).toEqual(ours.data);
    // and it is a real answer, from the data
    if (name === 'DistrictReport') expect(theirs.data.areaStatistics).toMatchObject({ unit: { name: 'Quận 6' }, totalHouseholds: 65000 });
    else expect(theirs.data.householdByCode.members.length).toBeGreaterThan(0);
  });

  it('gets no data from the subgraphs for a client without a token', async () => {
    const res = await post(hiveUrl, operation('HouseholdPicture'), { code: '27346-00097' });
    expect(res.data?.householdByCode ?? null).toBeNull();
    expect(res.errors?.length).toBeGreaterThan(0);
  });
});
