/** The gateway's own duties: composition, the offline explorer, health and readiness. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { compose, SUPERGRAPH_FILE, exampleOperations } from '@ansinh/gateway';
import { testSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await testSystem(); });
afterAll(async () => { await t?.close(); });

describe('composition', () => {
  it('the committed supergraph.graphql is what the subgraph schemas compose to', () => {
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(compose());
  });

  it('fails when two subgraphs disagree about a shared type', () => {
    const result = composeServices([
      { name: 'a', url: 'http://a', typeDefs: parse('extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"]) type Query { x: Household } type Household @key(fields: "id") { id: ID! code: String! }') },
      { name: 'b', url: 'http://b', typeDefs: parse('extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"]) type Household @key(fields: "id") { id: ID! code: Int! }') },
    ]);
    expect(result.errors?.length).toBeGreaterThan(0);
  });
});

describe('explorer', () => {
  it('is served by the gateway and loads nothing from outside', async () => {
    const res = await fetch(t.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('An Sinh Graph explorer');
    // no <script src>, <link href>, CSS url() or @import pointing at another host
    const external = [
      ...html.matchAll(/<(?:script|link|img|iframe)[^>]+(?:src|href)\s*=\s*["']?((?:https?:)?\/\/[^"' >]+)/gi),
      ...html.matchAll(/url\(\s*["']?((?:https?:)?\/\/[^"')]+)/gi),
      ...html.matchAll(/@import\s+["']((?:https?:)?\/\/[^"']+)/gi),
    ].map((m) => m[1]);
    expect(external).toEqual([]);
    // and it points GraphiQL at the gateway itself
    expect(html).toContain('"endpoint":"/"');
  });

  it('is served again when reloaded with a tab\'s text in the address, without a token; the same GET as JSON still needs one', async () => {
    // GraphiQL keeps the tab's text in the address: a browser reload asks for /?query=… with text/html first
    const url = `${t.url}?query=${encodeURIComponent('{ areaSta')}`;
    const page = await fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringMatching(/^text\/html/)]);
    expect(await page.text()).toContain('An Sinh Graph explorer');
    const json = await fetch(`${t.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect([json.status, ((await json.json()) as any).errors[0].extensions.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('is preloaded with the example operations', async () => {
    const html = await (await fetch(t.url, { headers: { accept: 'text/html' } })).text();
    const names = exampleOperations().map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(['HouseholdPicture', 'DistrictFigures']));
    for (const name of names) expect(html).toContain(`query ${name}`);
  });

  it.each(exampleOperations().map((o) => [o.name, o.query]))('example %s runs without errors', async (_, query) => {
    const res = await t.query(query);
    expect(res.errors).toBeUndefined();
    expect(Object.values(res.data)[0]).not.toBeNull();
  });
});

describe('health', () => {
  it('/health answers while the process lives', async () => {
    const res = await fetch(new URL('/health', t.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/ready reports the supergraph and every subgraph', async () => {
    const res = await fetch(new URL('/ready', t.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready', supergraph: 'loaded',
      subgraphs: { households: 'up', credit: 'up', health: 'up', housing: 'up' },
    });
  });

  it('/ready says which subgraph is down', async () => {
    await t.system.subgraphs.housing.close();
    const res = await fetch(new URL('/ready', t.url));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'not ready', subgraphs: { housing: 'down', households: 'up' } });
  });
});
