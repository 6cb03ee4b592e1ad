/**
 * Graceful shutdown, for real: the gateway runs as its own process (gateway/src/main.ts); SIGTERM arrives while
 * requests are in flight (its subgraph takes a while to answer), on kept-alive connections, one of them still being
 * uploaded. Every one is answered, a new connection is refused, and the process exits by itself with status 0.
 * Then `pnpm serve` (the documented production command: plain node on the build of `pnpm build`) starts, answers
 * `/ready`, and is stopped as a supervisor does (SIGTERM to its process group) and as `kill <pid of pnpm>` does: in
 * both cases the server finishes and no process of it is left.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_JWT_SECRET, tokenFor } from './harness.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { productionBuild } from './support/build.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const QUERY = '{ householdByCode(code: "27373-00012") { code } }';

// needs no database: run it once, in the PGlite project
describe.skipIf(inject('database').kind !== 'pglite')('SIGTERM', () => {
  let stub: Server;
  let gateway: ChildProcess;
  let gatewayUrl: string;
  let received = 0;
  let onReceived = () => {};
  let output = '';

  beforeAll(async () => {
    // a households subgraph that answers after 1.5 s
    stub = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received += 1;
        onReceived();
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
        // 21 requests held at once by the stub: all admitted (the in-flight bound is another test's subject)
        ANSINH_MAX_IN_FLIGHT: '64',
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

  it('answers the 20 requests in flight on kept-alive connections and one still being uploaded, then exits 0', async () => {
    const authorization = `Bearer ${await tokenFor('ADMIN')}`;
    const body = JSON.stringify({ query: QUERY });
    const url = new URL(gatewayUrl);
    const agent = new Agent({ keepAlive: true, maxSockets: 21 });
    // one request on the agent's kept-alive sockets: the status, or the error code (ECONNRESET: a dropped request)
    const post = (slowBody?: Promise<void>) => new Promise<{ status: number | string; connection?: string; body?: string }>((resolve) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', authorization, 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body: text }));
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? error.message }));
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? error.message }));
      if (!slowBody) return void req.end(body);
      // half the body now, the rest after SIGTERM: the request is still being read when the drain begins
      req.write(body.slice(0, 20));
      void slowBody.then(() => req.end(body.slice(20)));
    });
    const waitForReceived = (n: number) => new Promise<void>((resolve) => { onReceived = () => { if (received >= n) resolve(); }; onReceived(); });

    // open 21 kept-alive connections (the first round of answers leaves them idle in the agent's pool)
    const warm = await Promise.all(Array.from({ length: 21 }, () => post()));
    expect(warm.map((r) => r.status)).toEqual(Array(21).fill(200));
    expect(warm.every((r) => r.connection === 'keep-alive')).toBe(true);

    const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => resolve(code)));
    let signalled = () => {};
    const afterSignal = new Promise<void>((resolve) => { signalled = resolve; });
    const inFlight = Array.from({ length: 20 }, () => post());
    const uploading = post(afterSignal);
    await waitForReceived(21 + 20);
    gateway.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    signalled();

    const answers = await Promise.all([...inFlight, uploading]);
    expect(answers.map((r) => r.status)).toEqual(Array(21).fill(200));
    for (const answer of answers) expect(JSON.parse(answer.body!)).toEqual({ data: { householdByCode: { code: '27373-00012' } } });
    // each answer told the client not to reuse its connection
    expect(answers.every((r) => r.connection === 'close')).toBe(true);

    // a new connection: no listener any more
    const late = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body }).then((res) => res.status, (error: Error & { cause?: { code?: string } }) => error.cause?.code);
    expect(late).toBe('ECONNREFUSED');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: refusing new requests');
    expect(output).toContain('stopped.');
    agent.destroy();
  });
});

/** Whether any process of a process group is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(inject('database').kind !== 'pglite')('pnpm serve stopped by a supervisor', () => {
  const database = inject('database');
  beforeAll(() => productionBuild(), 300_000);
  for (const how of ['the process group', 'pnpm alone'] as const) {
    it(`SIGTERM to ${how}: requests in flight answered, exit, no process left`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ansinh-shutdown-'));
      if (database.kind === 'pglite') cpSync(database.templateDir, dir, { recursive: true });
      // its own process group (detached), as a container or a supervisor runs it
      const pnpm = spawn('pnpm', ['serve'], {
        cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PORT: '0', SUBGRAPH_BASE_PORT: '0', ANSINH_DATA_DIR: dir, ANSINH_DEMO_DATA: 'off', JWT_SECRET: TEST_JWT_SECRET, SHUTDOWN_GRACE_MS: '10000' },
      });
      let out = '';
      pnpm.stdout!.on('data', (d) => { out += d; });
      pnpm.stderr!.on('data', (d) => { out += d; });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const check = () => { const m = /Explorer and GraphQL endpoint: (http:\/\/[^\s"]+)/.exec(out); if (m) resolve(m[1]!); };
          pnpm.stdout!.on('data', check);
          pnpm.once('exit', () => reject(new Error(`pnpm serve exited early:\n${out}`)));
          setTimeout(() => reject(new Error(`pnpm serve did not start:\n${out}`)), 170_000);
        });
        // the node process pnpm started (pnpm → node, as the script execs): plain node on the build, no TypeScript loader
        const server = Number(execFileSync('pgrep', ['-g', String(pnpm.pid), '-f', 'start-all.js'], { encoding: 'utf8' }).trim().split('\n')[0]);
        expect(server).toBeGreaterThan(0);
        expect(readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(1)).toEqual(['gateway/dist/start-all.js']);
        const ready = await fetch(new URL('/ready', url));
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ status: 'ready' });
        const authorization = `Bearer ${await tokenFor('ADMIN')}`;
        const requests = Array.from({ length: 5 }, () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query: QUERY }) }).then((res) => res.status, (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message));
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (how === 'the process group') process.kill(-pnpm.pid!, 'SIGTERM');
        else process.kill(pnpm.pid!, 'SIGTERM');
        expect(await Promise.all(requests)).toEqual(Array(5).fill(200));
        // everything of it ends by itself, well within the grace period
        for (let i = 0; i < 150 && groupAlive(pnpm.pid!); i++) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(groupAlive(pnpm.pid!)).toBe(false);
        expect(out).toMatch(/(SIGTERM|parent process exited): refusing new requests/);
        expect(out).toContain('stopped.');
      } finally {
        if (groupAlive(pnpm.pid!)) process.kill(-pnpm.pid!, 'SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    }, 240_000);
  }
});
