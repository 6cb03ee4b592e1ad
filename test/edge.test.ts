/**
 * The gateway's edge: a browser page on an allowed origin may call the API (CORS), another origin may not; each
 * client (token subject) gets its own rate limit, answered 429 with Retry-After over it; a subgraph fetch that a
 * replica refuses is retried for a query and never for a mutation.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isIdempotent, observeSubgraphRequests, subgraphFetcher } from '@ansinh/gateway';
import { ServiceMetrics } from '@ansinh/server';
import { sharedSystem, tokenFor, type TestSystem } from './harness.js';

const ALLOWED = 'https://app.ansinh.example.gov.vn';
const CHROMIUM = '/usr/bin/chromium';
/** a gateway of its own (CORS and rate limit are the gateway's settings) over the worker's shared system */
let t: Awaited<ReturnType<TestSystem['gateway']>>;
/** two pages on this machine (origins http://127.0.0.1:<port>): the first allowed, the second not; each calls the gateway with fetch() */
const pages: Server[] = [];
let pageToken = '';
const origins: string[] = [];
beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const page = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><pre id="out">pending</pre><script>
        fetch(${JSON.stringify(t.url)}, { method: 'POST', headers: { 'content-type': 'application/json', authorization: ${JSON.stringify(`Bearer ${pageToken}`)} }, body: JSON.stringify({ query: '{ __typename }' }) })
          .then((r) => r.json()).then((b) => { document.getElementById('out').textContent = 'ANSWER ' + JSON.stringify(b); }, (e) => { document.getElementById('out').textContent = 'BLOCKED ' + e.name; });
      </script>`);
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pages.push(page);
    origins.push(`http://127.0.0.1:${(page.address() as AddressInfo).port}`);
  }
  pageToken = await tokenFor('ANALYST', [], { sub: 'browser-page' });
  t = await (await sharedSystem()).gateway({ corsOrigins: [ALLOWED, origins[0]!], rateLimit: { points: 5, windowSeconds: 60 } });
});
afterAll(async () => {
  await t?.close();
  for (const p of pages) await new Promise((resolve) => p.close(resolve));
});

const preflight = (origin: string) => fetch(t.url, {
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
});

describe('CORS', () => {
  it('answers the preflight of an allowed origin with what a browser needs to send the request', async () => {
    const res = await preflight(ALLOWED);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(res.headers.get('access-control-allow-headers')?.split(',')).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('lets the page read the answer and its request id', async () => {
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { origin: ALLOWED, 'content-type': 'application/json', authorization: `Bearer ${await tokenFor('ANALYST', [], { sub: 'cors-page' })}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('gives another origin no CORS headers, so the browser keeps the answer from its page', async () => {
    for (const origin of ['https://evil.example', 'https://app.ansinh.example.gov.vn.evil.example', 'http://app.ansinh.example.gov.vn']) {
      const res = await preflight(origin);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });
});

describe.skipIf(!existsSync(CHROMIUM))('CORS in a browser', () => {
  it('a page on the allowed origin reads the answer; a page on another origin is blocked by the browser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ansinh-cors-'));
    try {
      const dom = async (url: string, profile: string) => (await promisify(execFile)(CHROMIUM, [
        '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', `--user-data-dir=${join(dir, profile)}`, '--virtual-time-budget=8000', '--dump-dom', url,
      ], { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
      expect(await dom(`${origins[0]}/`, 'a')).toContain('ANSWER {"data":{"__typename":"Query"}}');
      expect(await dom(`${origins[1]}/`, 'b')).toContain('BLOCKED TypeError');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rate limit per client', () => {
  const ask = async (sub: string) => fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor('ANALYST', [], { sub })}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });

  it('answers the 5th request of the window and refuses the 6th with 429 and Retry-After; another client is not affected', async () => {
    for (let i = 1; i <= 5; i++) expect((await ask('busy-client')).status).toBe(200);
    const refused = await ask('busy-client');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = await refused.json() as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0]!.message).toContain('at most 5 per 60 s');
    expect((await ask('quiet-client')).status).toBe(200);
    const metrics = await (await fetch(new URL('/metrics', t.url))).text();
    expect(metrics).toMatch(/^ansinh_rate_limited_total\{service="gateway"\} 1$/m);
  });
});

// no database needed: once, in the PGlite project
describe.skipIf(inject('database').kind !== 'pglite')('retries of subgraph fetches', () => {
  let server: Server;
  let url: string;
  let failures = 0;
  /** answers that break off after their first bytes: `drops` by the replica closing the connection, or by hanging */
  let drops = 0;
  let hang = false;
  const seen: string[] = [];
  beforeAll(async () => {
    // a replica that is restarting: it refuses the first `failures` requests with 503, then answers
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        seen.push(body);
        if (drops > 0 || hang) {
          const dropping = drops > 0;
          if (dropping) drops -= 1;
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{"data":');
          if (dropping) setTimeout(() => res.socket?.destroy(), 20);
        } else if (failures > 0) {
          failures -= 1;
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"message":"shutting down"}]}');
        } else res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"ok":true}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const send = (fetcher: ReturnType<typeof subgraphFetcher>, query: string) =>
    fetcher(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

  it('tells queries from mutations as the gateway writes them', () => {
    expect(isIdempotent(JSON.stringify({ query: 'query HouseholdPicture__credit__1($representations:[_Any!]!){_entities(representations:$representations){...on Household{loans{code}}}}' }))).toBe(true);
    expect(isIdempotent(JSON.stringify({ query: '{ __typename }' }))).toBe(true);
    expect(isIdempotent(JSON.stringify({ query: 'mutation Repay__credit__0($input:RepaymentInput!){recordRepayment(input:$input){id}}' }))).toBe(false);
    expect(isIdempotent('not json')).toBe(false);
  });

  it('retries a query refused with 503 until the replica answers, within its retries', async () => {
    const metrics = new ServiceMetrics('gateway');
    const fetcher = subgraphFetcher({ name: 'credit', timeoutMs: 5_000, retry: { retries: 2, baseDelayMs: 10 }, metrics });
    seen.length = 0;
    failures = 2;
    const res = await send(fetcher, 'query Q__credit__0 { ok }');
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(3);
    expect(await metrics.registry.getSingleMetricAsString('ansinh_subgraph_fetch_retries_total')).toContain('ansinh_subgraph_fetch_retries_total{subgraph="credit",service="gateway"} 2');

    // one failure more than the retries: the last answer (503) is what the gateway gets
    seen.length = 0;
    failures = 3;
    expect((await send(fetcher, 'query Q__credit__0 { ok }')).status).toBe(503);
    expect(seen).toHaveLength(3);
    failures = 0;
  });

  it('never retries a mutation: it may have written before the failure', async () => {
    const fetcher = subgraphFetcher({ name: 'credit', timeoutMs: 5_000, retry: { retries: 2, baseDelayMs: 10 } });
    seen.length = 0;
    failures = 1;
    expect((await send(fetcher, 'mutation M__credit__0 { recordRepayment { id } }')).status).toBe(503);
    expect(seen).toHaveLength(1);
    failures = 0;
  });

  it('retries a refused connection for a query, and gives up with the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((resolve) => closed.close(resolve));
    const metrics = new ServiceMetrics('gateway');
    const fetcher = subgraphFetcher({ name: 'health', timeoutMs: 5_000, retry: { retries: 2, baseDelayMs: 10 }, metrics });
    const error = await fetcher(dead, { method: 'POST', body: JSON.stringify({ query: '{ __typename }' }) }).catch((e: Error & { cause?: { code?: string } }) => e);
    expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    const text = await metrics.registry.metrics();
    expect(text).toContain('ansinh_subgraph_fetch_retries_total{subgraph="health",service="gateway"} 2');
    expect(text).toContain('ansinh_subgraph_fetch_errors_total{subgraph="health",reason="connection_refused",service="gateway"} 1');
  });

  it('retries a query whose answer broke off when the replica closed the connection, and reports the reset', async () => {
    const metrics = new ServiceMetrics('gateway');
    const fetcher = subgraphFetcher({ name: 'credit', timeoutMs: 5_000, retry: { retries: 1, baseDelayMs: 10 }, metrics });
    seen.length = 0;
    drops = 1;
    const res = await send(fetcher, 'query Q__credit__0 { ok }');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { ok: true } });
    expect(seen).toHaveLength(2);

    // a mutation is not asked again: the caller learns the connection was reset
    drops = 1;
    seen.length = 0;
    const error = await send(fetcher, 'mutation M__credit__0 { recordRepayment { id } }').catch((e: Error & { cause?: { code?: string } }) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(seen).toHaveLength(1);
    expect(await metrics.registry.metrics()).toContain('ansinh_subgraph_fetch_errors_total{subgraph="credit",reason="connection_reset",service="gateway"} 1');
  });

  it('gives up at its timeout while the answer is still coming, with the timeout as the reason', async () => {
    const metrics = new ServiceMetrics('gateway');
    const fetcher = subgraphFetcher({ name: 'housing', timeoutMs: 300, retry: { retries: 2, baseDelayMs: 10 }, metrics });
    hang = true;
    const started = Date.now();
    try {
      const error = await send(fetcher, 'query Q__housing__0 { ok }').catch((e: Error) => e);
      expect((error as Error).name).toBe('TimeoutError');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally { hang = false; }
    expect(await metrics.registry.metrics()).toContain('ansinh_subgraph_fetch_errors_total{subgraph="housing",reason="timeout",service="gateway"} 1');
    // the replica is asked again on a fresh connection and answers
    expect((await send(fetcher, 'query Q__housing__0 { ok }')).status).toBe(200);
  });

  it('tells the bench the size of every request body it sends', async () => {
    const fetcher = subgraphFetcher({ name: 'households', timeoutMs: 5_000, retry: { retries: 0, baseDelayMs: 10 } });
    const observed: [string, number][] = [];
    observeSubgraphRequests((u, bytes) => observed.push([u, bytes]));
    try {
      await send(fetcher, 'query Q__households__0 { hộGiaĐình }');
    } finally { observeSubgraphRequests(undefined); }
    expect(observed).toEqual([[url, Buffer.byteLength(JSON.stringify({ query: 'query Q__households__0 { hộGiaĐình }' }))]]);
  });
});
