/**
 * Graceful shutdown, for real: the gateway runs as its own process (gateway/src/main.ts); SIGTERM arrives while a
 * request is in flight (its subgraph takes a while to answer). That request finishes, a new one is refused, and
 * the process exits by itself with status 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_JWT_SECRET, tokenFor } from './harness.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const QUERY = '{ householdByCode(code: "27373-00012") { code } }';

// needs no database: run it once, in the PGlite project
describe.skipIf(inject('database').kind !== 'pglite')('SIGTERM', () => {
  let stub: Server;
  let gateway: ChildProcess;
  let gatewayUrl: string;
  let received: () => void;
  const requestArrived = new Promise<void>((resolve) => { received = resolve; });
  let output = '';

  beforeAll(async () => {
    // a households subgraph that answers after 1.5 s
    stub = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received();
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ data: { householdByCode: { code: '27373-00012' } } }));
        }, 1_500);
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/`;
    gateway = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env, PORT: '0', HOST: '127.0.0.1', HOUSEHOLDS_URL: stubUrl, NODE_ENV: 'production', SHUTDOWN_GRACE_MS: '10000',
        // production wants real secrets; this test's operation is not a registered one
        JWT_SECRET: TEST_JWT_SECRET, ANSINH_INTERNAL_SECRET: 'a-secret-shared-by-gateway-and-subgraphs-in-this-test', ANSINH_TRUSTED_DOCUMENTS: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway.stderr!.on('data', (d) => { output += d; });
    gatewayUrl = await new Promise<string>((resolve, reject) => {
      gateway.stdout!.on('data', (d) => {
        output += d;
        const m = /gateway at (http:\/\/\S+?\/)[, ]/.exec(output);
        if (m) resolve(m[1]!);
      });
      gateway.once('exit', () => reject(new Error(`gateway exited early:\n${output}`)));
    });
  });
  afterAll(async () => {
    if (gateway.exitCode === null) gateway.kill('SIGKILL');
    await new Promise((resolve) => stub.close(resolve));
  });

  it('lets the request in flight finish, refuses new ones, and exits 0', async () => {
    const authorization = `Bearer ${await tokenFor('ADMIN')}`;
    const post = () => fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query: QUERY }) });
    const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => resolve(code)));
    const inFlight = post();
    await requestArrived;
    gateway.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));

    // a new request: no listener any more (connection refused) or, on a kept-alive connection, 503 SHUTTING_DOWN
    const late = await post().then((res) => res.status, (error: Error & { cause?: { code?: string } }) => error.cause?.code);
    expect(['ECONNREFUSED', 503]).toContain(late);

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { householdByCode: { code: '27373-00012' } } });
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: refusing new requests');
    expect(output).toContain('stopped.');
  });
});
