/**
 * `pnpm bench:startup` (docs/operations.md, Start time): the time from process start to its `/ready` answering 200
 * (polled every 50 ms), for each service as the image runs it (`serve.ts <role>` / `dist/serve.js <role>`) on a
 * migrated PostgreSQL database of its own, the gateway with the four subgraphs up, and the all-in-one process
 * (`pnpm serve`'s start-all) on an existing PGlite folder. Each start is stopped with SIGTERM once ready.
 *
 * Settings (environment): STARTUP_RUNNERS (`tsx,dist`: the TypeScript sources through tsx, the build of
 * `pnpm build` with plain node), STARTUP_RUNS (3 per service and runner), STARTUP_DATABASE_URL (a PostgreSQL server
 * to create the database on; else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { freePort } from '../support/ports.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const env = process.env;
const server = env.STARTUP_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const runners = (env.STARTUP_RUNNERS ?? 'tsx,dist').split(',') as ('tsx' | 'dist')[];
const runs = Number(env.STARTUP_RUNS ?? 3);

/** the node arguments of a role of the image's entry point, per runner */
const serve = (runner: 'tsx' | 'dist', role: string) => runner === 'tsx' ? ['--import', 'tsx', 'gateway/src/serve.ts', role] : ['gateway/dist/serve.js', role];

interface Running { ms: number; stop(): Promise<void> }

/** Starts node with these arguments and resolves once `/ready` on the port answers 200. */
async function startUntilReady(args: string[], port: number, extra: NodeJS.ProcessEnv): Promise<Running> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...baseEnv, PORT: String(port), ...extra } });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}: ${stderr.slice(-2000)}`);
    const ok = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (ok) break;
    if (performance.now() - t0 > 300_000) throw new Error(`${args.join(' ')}: not ready within 300 s: ${stderr.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ms = performance.now() - t0;
  return { ms, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

const baseEnv: NodeJS.ProcessEnv = {
  PATH: env.PATH, NODE_ENV: 'production', APOLLO_TELEMETRY_DISABLED: '1', HOST: '127.0.0.1', LOG_LEVEL: 'warn',
  ANSINH_INTERNAL_SECRET: randomBytes(32).toString('base64url'), JWT_SECRET: randomBytes(32).toString('base64url'), ANSINH_DEMO_DATA: 'off',
};

const fmt = (ms: number[]) => ms.map((m) => `${(m / 1000).toFixed(2)} s`).join(', ');
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

const admin = postgres(server, { max: 1, onnotice: () => {} });
const dbName = `ansinh_startup_${Date.now()}_${process.pid}`;
const pgliteDir = mkdtempSync(join(tmpdir(), 'ansinh-startup-'));
try {
  await admin.unsafe(`create database ${dbName}`);
  const url = new URL(server);
  url.pathname = `/${dbName}`;
  const DATABASE_URL = url.toString();
  // the migrations (no demo data: a start reads no rows), once, as the image's migrate step does
  const migrate = spawn(process.execPath, serve(runners.includes('dist') ? 'dist' : 'tsx', 'migrate'), { cwd: ROOT, stdio: 'inherit', env: { ...baseEnv, DATABASE_URL } });
  if (await new Promise((resolve) => migrate.once('exit', resolve)) !== 0) throw new Error('migrate failed');
  // an existing PGlite folder for the all-in-one start (the first start makes it: migrations, reference data)
  {
    const first = await startUntilReady(runners.includes('dist') ? ['gateway/dist/start-all.js'] : ['--import', 'tsx', 'gateway/src/start-all.ts'], await freePort(), { ANSINH_DATA_DIR: pgliteDir, SUBGRAPH_BASE_PORT: '0' });
    await first.stop();
  }

  console.log(`start → ready, ${runs} runs per service and runner; load average before each row in brackets`);
  for (let round = 0; round < runs; round++) {
    for (const runner of runners) {
      const row: string[] = [`[${load()}] ${runner} round ${round + 1}:`];
      const subgraphs: Running[] = [];
      const urls: Record<string, string> = {};
      for (const name of ['households', 'credit', 'health', 'housing']) {
        const port = await freePort();
        const s = await startUntilReady(serve(runner, name), port, { DATABASE_URL });
        subgraphs.push(s);
        urls[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${port}/`;
        row.push(`${name} ${fmt([s.ms])}`);
      }
      // the gateway's /ready asks the four subgraphs: they stay up while it starts
      const gateway = await startUntilReady(serve(runner, 'gateway'), await freePort(), urls);
      row.push(`gateway ${fmt([gateway.ms])}`);
      await gateway.stop();
      await Promise.all(subgraphs.map((s) => s.stop()));
      const imp = await startUntilReady(serve(runner, 'import'), await freePort(), { DATABASE_URL });
      row.push(`import ${fmt([imp.ms])}`);
      await imp.stop();
      const all = await startUntilReady(runner === 'tsx' ? ['--import', 'tsx', 'gateway/src/start-all.ts'] : ['gateway/dist/start-all.js'], await freePort(), { ANSINH_DATA_DIR: pgliteDir, SUBGRAPH_BASE_PORT: '0' });
      row.push(`all-in-one (PGlite folder) ${fmt([all.ms])}`);
      await all.stop();
      console.log(row.join(' · '));
    }
  }
  console.log(`load average after: ${load()}`);
} finally {
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  rmSync(pgliteDir, { recursive: true, force: true });
}
