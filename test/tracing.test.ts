/**
 * One trace per request across processes: the gateway and the households subgraph run as their own processes
 * (serve.ts gateway, serve.ts households), both exporting spans over OTLP/HTTP to a receiver in this test. A
 * request that arrives with a W3C traceparent yields spans of both processes under that one trace id: the
 * gateway's own (request, plan, fetch), the subgraph's server span as a child of the gateway's fetch, its resolver
 * and its SQL. No span carries a value of the request.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_JWT_SECRET, tokenFor } from './harness.js';
import { start, type OtlpSpan, type Started } from './support/processes.js';

const database = inject('database');
const SECRET = 'internal-secret-of-the-tracing-test-0123456789';

/** OTLP/JSON ids are hex; accept base64 too */
const hex = (id: string) => (/^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex'));

describe.skipIf(database.kind !== 'pglite')('tracing across processes', () => {
  const spans: OtlpSpan[] = [];
  let receiver: Server;
  let gateway: Started;
  let households: Started;
  let gatewayUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'ansinh-trace-'));

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const doc = JSON.parse(body || '{}') as { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: any[] }[] }[] };
        for (const rs of doc.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) {
            spans.push({
              service, name: s.name, traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: s.parentSpanId ? hex(s.parentSpanId) : '',
              attributes: Object.fromEntries((s.attributes ?? []).map((a: { key: string; value: Record<string, unknown> }) => [a.key, Object.values(a.value)[0]])),
            });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    if (database.kind === 'pglite') cpSync(database.templateDir, join(dir, 'pglite'), { recursive: true });
    const env = {
      ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_BSP_SCHEDULE_DELAY: '200', ANSINH_INTERNAL_SECRET: SECRET, HOST: '127.0.0.1', PORT: '0',
      LOG_LEVEL: 'info', DATABASE_URL: '',
    };
    households = start(['--import', 'tsx', 'gateway/src/serve.ts', 'households'], { ...env, ANSINH_DATA_DIR: join(dir, 'pglite'), ANSINH_DEMO_DATA: 'off' });
    const householdsUrl = await households.waitFor(/households subgraph on .* at (http:\/\/\S+?\/)"/);
    gateway = start(['--import', 'tsx', 'gateway/src/serve.ts', 'gateway'], {
      ...env, HOUSEHOLDS_URL: householdsUrl, JWT_SECRET: TEST_JWT_SECRET, ANSINH_RATE_LIMIT: 'off', SUBGRAPH_TIMEOUT_MS: '120000',
    });
    gatewayUrl = await gateway.waitFor(/gateway at (http:\/\/\S+?\/)[, ]/);
  });
  afterAll(async () => {
    await gateway?.stop();
    await households?.stop();
    await new Promise((resolve) => receiver.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts the gateway\'s and the subgraph\'s spans of one request under the caller\'s trace id', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json', authorization: `Bearer ${await tokenFor('ADMIN')}`,
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({ query: 'query Trace { householdByCode(code: "27373-00012") { code members { fullName } } }' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { householdByCode: { code: string } } }).data.householdByCode.code).toBe('27373-00012');

    const mine = () => spans.filter((s) => s.traceId === traceId);
    for (let i = 0; i < 150 && !(mine().some((s) => s.service === 'households' && s.name.startsWith('SQL')) && mine().some((s) => s.name === 'gateway.request')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const trace = mine();
    const names = (service: string) => new Set(trace.filter((s) => s.service === service).map((s) => s.name));
    expect([...names('gateway')]).toEqual(expect.arrayContaining(['POST /', 'gateway.request', 'gateway.plan', 'gateway.fetch']));
    expect([...names('households')]).toEqual(expect.arrayContaining(['POST /', 'Query.householdByCode', 'SQL select']));
    // the subgraph's server span is a child of one of the gateway's fetch spans: propagated by traceparent
    const fetches = trace.filter((s) => s.service === 'gateway' && s.name === 'gateway.fetch').map((s) => s.spanId);
    const server = trace.find((s) => s.service === 'households' && s.name === 'POST /')!;
    expect(fetches).toContain(server.parentSpanId);
    // every span of the request is in this trace: none of either process started a trace of its own for it
    const ids = new Set(spans.filter((s) => s.attributes['ansinh.request_id'] === server.attributes['ansinh.request_id']).map((s) => s.traceId));
    expect([...ids]).toEqual([traceId]);
    // no value of the request in any span: SQL with placeholders, fields by name
    const sql = trace.filter((s) => s.name.startsWith('SQL'));
    expect(sql.every((s) => typeof s.attributes['db.statement'] === 'string')).toBe(true);
    expect(JSON.stringify(trace)).not.toContain('27373-00012');
  });
});
