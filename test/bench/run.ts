/**
 * `pnpm bench` (docs/performance.md): builds a dataset, then measures in one run, interleaved, on the same subgraphs
 * and database:
 *   (a) our gateway (gateway/src/main.ts), (b) plain @apollo/gateway (bench/apollo-gateway.ts), (c) Hive Gateway from
 *   npm with a per-request caller header (gateway/hive/gateway.config.ts), (d) the floor: one process answering the
 *   same operations with hand-written SQL (bench/floor.ts);
 * on a small query and a 50-household picture: throughput, p50/p99, CPU per request, SQL statements per request and
 * RSS of each, the ratios, then a goodput curve of (a) at 0.5×, 1× and 2× its sustainable load (open loop), and the
 * report latencies at N.
 *
 * Settings (environment): BENCH_DATABASE_URL (a PostgreSQL server to create the database on; else TEST_DATABASE_URL,
 * else postgres://postgres@127.0.0.1:5432/postgres), BENCH_HOUSEHOLDS (1,000,000: a country; the import takes about 13 minutes on an idle two-core machine), BENCH_DATABASE_NAME (keep and reuse
 * that database: a second run skips the import), BENCH_BASE_PORT (4700: gateways on +0..+3, subgraphs on +5..+8, their statement counts on +9),
 * BENCH_SECONDS per measurement (5), BENCH_ROUNDS (3), BENCH_CONCURRENCY (8 clients), BENCH_PHASES (dataset,peers,
 * goodput,reports), BENCH_REPORT_RUNS (10 timed runs of each report).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { issueToken, SUBGRAPHS } from '@ansinh/gateway';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { buildDataset } from './dataset.js';
import { PROVINCE } from './generate.js';
import { benchUnits, formatResult, measureReports } from './reports.js';

const env = process.env;
const server = env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const count = Number(env.BENCH_HOUSEHOLDS ?? 1_000_000);
const base = Number(env.BENCH_BASE_PORT ?? 4700);
const seconds = Number(env.BENCH_SECONDS ?? 5);
const rounds = Number(env.BENCH_ROUNDS ?? 3);
const concurrency = Number(env.BENCH_CONCURRENCY ?? 8);
const phases = new Set((env.BENCH_PHASES ?? 'dataset,peers,goodput,reports').split(','));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JWT_SECRET = randomBytes(32).toString('base64url');
const INTERNAL_SECRET = randomBytes(32).toString('base64url');

/** The bench's ward (generated households) and its province: a city integrator's token, so the area filter works. */
export const BENCH_UNIT = benchUnits().ward;

export const PICTURE = `query BenchPicture($unitCode: String!, $first: Int!) {
  households(unitCode: $unitCode, first: $first) {
    edges { node {
      id code address areaType
      currentStatus { status year standard { code } }
      unit { name parent { name } }
      members { id fullName relationToHead insuranceCards { cardNumber beneficiaryGroup validTo } }
      loans { code programme outstanding status }
      creditSummary { activeLoans outstanding }
      healthCoverage { on coveredMembers totalMembers }
      housingSupports { kind status fundingLines { source amount } }
    } }
  }
}`;
export const SMALL = 'query BenchSmall($code: String!) { householdByCode(code: $code) { code address } }';

interface Operation { name: string; body: string }
const allOperations: Operation[] = [
  { name: 'small query', body: JSON.stringify({ query: SMALL, operationName: 'BenchSmall', variables: { code: 'BENCH-0000001' } }) },
  { name: '50-household picture', body: JSON.stringify({ query: PICTURE, operationName: 'BenchPicture', variables: { unitCode: BENCH_UNIT, first: 50 } }) },
];
/** BENCH_OPERATIONS=small (or picture): measure only that one in the peers phase (a profile of one operation) */
const operations = env.BENCH_OPERATIONS ? allOperations.filter((o) => env.BENCH_OPERATIONS!.split(',').some((w) => o.name.includes(w))) : allOperations;

// ---- processes ---------------------------------------------------------------------------------------------------

interface Proc { name: string; child: ChildProcess; url: string; out: () => string }
const overloadSettings = Object.fromEntries(Object.entries(env).filter(([k, v]) =>
  v !== undefined && /^(ANSINH|SUBGRAPH)_(MAX_IN_FLIGHT|MAX_QUEUED|QUEUE_TIMEOUT_MS|REQUEST_TIMEOUT_MS)$/.test(k))) as Record<string, string>;
/** Every process the bench started: stopped with it, also when it is interrupted or fails (no peer left on its port). */
const launched = new Set<ChildProcess>();
const stopLaunched = () => { for (const c of launched) if (c.exitCode === null) c.kill('SIGTERM'); };
process.once('exit', stopLaunched);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { stopLaunched(); process.exit(signal === 'SIGINT' ? 130 : 143); });

function launch(name: string, args: string[], extra: Record<string, string>, url: string): Proc {
  const child = spawn(process.execPath, args, {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    // the overload settings given to the bench reach every process (docs/performance.md "Overload settings")
    env: { PATH: env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'warn', JWT_SECRET, ANSINH_INTERNAL_SECRET: INTERNAL_SECRET, ...overloadSettings, ...extra },
  });
  launched.add(child);
  child.once('exit', () => launched.delete(child));
  let out = '';
  child.stdout!.on('data', (d) => { out = (out + d).slice(-20_000); });
  child.stderr!.on('data', (d) => { out = (out + d).slice(-20_000); });
  return { name, child, url, out: () => out };
}

async function waitUntilUp(p: Proc, path = '/'): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited:\n${p.out()}`);
    try {
      await fetch(new URL(path, p.url), { signal: AbortSignal.timeout(1_000) });
      return;
    } catch { await new Promise((r) => setTimeout(r, 250)); }
  }
  throw new Error(`${p.name} did not start:\n${p.out()}`);
}

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
/** CPU seconds of every PostgreSQL process on this machine (the server the bench's database is on, when it is local). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += cpuSeconds(Number(pid));
    } catch { /* it ended meanwhile */ }
  }
  return total;
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Refuses to start when something already listens on a port the bench needs (it would measure that instead). */
async function assertFree(port: number): Promise<void> {
  const inUse = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) }).then(() => true, (e: Error & { cause?: { code?: string } }) => e.cause?.code !== 'ECONNREFUSED');
  if (inUse) throw new Error(`port ${port} is in use: stop what runs there, or set BENCH_BASE_PORT`);
}

export async function startPeers(databaseUrl: string) {
  for (const offset of [0, 1, 2, 3, 5, 6, 7, 8, 9]) await assertFree(base + offset);
  const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((s, i) => [`${s.name.toUpperCase()}_URL`, `http://127.0.0.1:${base + 5 + i}/`]));
  const subgraphs = launch('subgraphs', [...(env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_CPU_PROF}`] : []), '--import', 'tsx', 'test/bench/subgraphs.ts'], { DATABASE_URL: databaseUrl, SUBGRAPH_BASE_PORT: String(base + 5) }, `http://127.0.0.1:${base + 9}/`);
  await waitUntilUp(subgraphs);
  const require = createRequire(import.meta.url);
  const hivePackage = require.resolve('@graphql-hive/gateway/package.json');
  const hiveBin = join(dirname(hivePackage), (JSON.parse(readFileSync(hivePackage, 'utf8')) as { bin: Record<string, string> }).bin['hive-gateway']!);
  const peers = [
    // BENCH_CPU_PROF=DIR: our gateway and the subgraphs write a V8 CPU profile there when they stop (node --cpu-prof)
    launch('(a) ours', [...(env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_CPU_PROF}`] : []), '--import', 'tsx', 'gateway/src/main.ts'], { ...subgraphUrls, PORT: String(base), HOST: '127.0.0.1', ANSINH_TRUSTED_DOCUMENTS: 'off', ANSINH_RATE_LIMIT: 'off' }, `http://127.0.0.1:${base}/`),
    launch('(b) @apollo/gateway', ['--import', 'tsx', 'test/bench/apollo-gateway.ts'], { ...subgraphUrls, PORT: String(base + 1) }, `http://127.0.0.1:${base + 1}/`),
    launch('(c) Hive Gateway', [hiveBin, 'supergraph', join(ROOT, 'supergraph.graphql'), '-c', 'gateway/hive/gateway.config.ts', '--port', String(base + 2), '--host', '127.0.0.1'], subgraphUrls, `http://127.0.0.1:${base + 2}/graphql`),
    launch('(d) floor', ['--import', 'tsx', 'test/bench/floor.ts'], { DATABASE_URL: databaseUrl, PORT: String(base + 3) }, `http://127.0.0.1:${base + 3}/`),
  ];
  for (const p of peers) await waitUntilUp(p, p.name.startsWith('(c)') ? '/healthcheck' : '/');
  return {
    subgraphs, peers,
    async stop() {
      for (const p of [...peers, subgraphs]) p.child.kill('SIGTERM');
    },
  };
}

// ---- load --------------------------------------------------------------------------------------------------------

interface Outcome { ok: boolean; status: number; ms: number; answered: boolean }

async function once(url: string, body: string, authorization: string, timeoutMs = 10_000): Promise<Outcome> {
  const started = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body, signal: AbortSignal.timeout(timeoutMs) });
    const json = (await res.json()) as { data?: unknown; errors?: unknown[] };
    return { ok: res.status === 200 && !json.errors && json.data != null, status: res.status, ms: performance.now() - started, answered: true };
  } catch {
    return { ok: false, status: 0, ms: performance.now() - started, answered: false };
  }
}

const pct = (sorted: number[], p: number) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN;

/** `clients` closed-loop clients for `secs`: each sends its next request when the last is answered. */
async function closedLoop(url: string, body: string, authorization: string, clients: number, secs: number) {
  const until = performance.now() + secs * 1000;
  const outcomes: Outcome[] = [];
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < until) outcomes.push(await once(url, body, authorization));
  }));
  return outcomes;
}

/** An open loop: requests sent at `rate` per second for `secs`, whatever the answers; all awaited. */
async function openLoop(url: string, body: string, authorization: string, rate: number, secs: number) {
  const pending: Promise<Outcome>[] = [];
  const started = performance.now();
  const total = Math.round(rate * secs);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(once(url, body, authorization));
  }
  return Promise.all(pending);
}

async function statements(p: { subgraphs: Proc }, peer: Proc): Promise<number> {
  const source = peer.name.startsWith('(d)') ? peer.url : p.subgraphs.url;
  const counts = (await (await fetch(source)).json()) as Record<string, number>;
  return Object.values(counts).reduce((s, n) => s + n, 0);
}

interface Sample { ok: number; all: number; seconds: number; latencies: number[]; cpuGateway: number; cpuSubgraphs: number; cpuPostgres: number; cpuBench: number; sql: number; rss: number }

async function measurePeers(p: Awaited<ReturnType<typeof startPeers>>, authorization: string) {
  const results = new Map<string, Sample>();
  // the same picture from every peer: households, members, cards, loans and supports counted
  const shape = (data: any) => (data?.households?.edges ?? []).map((e: any) => [e.node.code, e.node.members?.length, e.node.members?.reduce((n: number, m: any) => n + (m.insuranceCards?.length ?? 0), 0), e.node.loans?.length, e.node.housingSupports?.length].join(':')).join(' ');
  const pictures = await Promise.all(p.peers.map(async (peer) => {
    const res = await fetch(peer.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: allOperations[1]!.body });
    const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
    if (body.errors) throw new Error(`${peer.name} answered the picture with errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
    return shape(body.data);
  }));
  const households = pictures[0]!.split(' ').length;
  console.log(`the 50-household picture: ${households} households; the same from every peer: ${pictures.every((x) => x === pictures[0]) ? 'yes' : `NO\n${pictures.join('\n')}`}`);
  // warm-up: plans, caches, JIT
  for (const peer of p.peers) for (const op of operations) await closedLoop(peer.url, op.body, authorization, 2, 1);
  for (let round = 0; round < rounds; round++) {
    // interleaved, in a different order each round: a noisy neighbour hits every peer alike
    const order = p.peers.map((_, i) => p.peers[(i + round) % p.peers.length]!);
    for (const op of operations) {
      for (const peer of order) {
        const key = `${op.name}|${peer.name}`;
        const s = results.get(key) ?? { ok: 0, all: 0, seconds: 0, latencies: [], cpuGateway: 0, cpuSubgraphs: 0, cpuPostgres: 0, cpuBench: 0, sql: 0, rss: 0 };
        const cpu0 = [cpuSeconds(peer.child.pid!), cpuSeconds(p.subgraphs.child.pid!), postgresCpuSeconds()];
        const bench0 = process.cpuUsage();
        const sql0 = await statements(p, peer);
        const t0 = performance.now();
        const outcomes = await closedLoop(peer.url, op.body, authorization, concurrency, seconds);
        s.seconds += (performance.now() - t0) / 1000;
        s.cpuGateway += cpuSeconds(peer.child.pid!) - cpu0[0]!;
        s.cpuSubgraphs += cpuSeconds(p.subgraphs.child.pid!) - cpu0[1]!;
        s.cpuPostgres += postgresCpuSeconds() - cpu0[2]!;
        const bench = process.cpuUsage(bench0);
        s.cpuBench += (bench.user + bench.system) / 1e6;
        s.sql += (await statements(p, peer)) - sql0;
        s.ok += outcomes.filter((o) => o.ok).length;
        s.all += outcomes.length;
        s.latencies.push(...outcomes.filter((o) => o.ok).map((o) => o.ms));
        s.rss = Math.max(s.rss, rssMb(peer.child.pid!));
        results.set(key, s);
      }
    }
  }
  const table: Record<string, Record<string, string>> = {};
  const rate = (op: string, peer: string) => { const s = results.get(`${op}|${peer}`)!; return s.ok / s.seconds; };
  for (const op of operations) {
    console.log(`\n${op.name} (${concurrency} clients, ${rounds} × ${seconds} s each, interleaved)`);
    for (const peer of p.peers) {
      const s = results.get(`${op.name}|${peer.name}`)!;
      const sorted = [...s.latencies].sort((x, y) => x - y);
      table[peer.name] = {
        'req/s': (s.ok / s.seconds).toFixed(1),
        'p50 ms': pct(sorted, 0.5).toFixed(1),
        'p99 ms': pct(sorted, 0.99).toFixed(1),
        'failed': String(s.all - s.ok),
        'CPU ms/req (front)': ((s.cpuGateway * 1000) / Math.max(1, s.all)).toFixed(2),
        'CPU ms/req (subgraphs)': peer.name.startsWith('(d)') ? '-' : ((s.cpuSubgraphs * 1000) / Math.max(1, s.all)).toFixed(2),
        'CPU ms/req (PostgreSQL)': ((s.cpuPostgres * 1000) / Math.max(1, s.all)).toFixed(2),
        'CPU ms/req (bench client)': ((s.cpuBench * 1000) / Math.max(1, s.all)).toFixed(2),
        'SQL/req': (s.sql / Math.max(1, s.all)).toFixed(1),
        'RSS MB': s.rss.toFixed(0),
      };
    }
    console.table(table);
    const [a, b, c, d] = p.peers.map((x) => rate(op.name, x.name));
    console.log(`ratios: (a)/(b) ${(a! / b!).toFixed(2)}  (a)/(c) ${(a! / c!).toFixed(2)}  (a)/(d) ${(a! / d!).toFixed(2)}`);
  }
  const picture = results.get(`${allOperations[1]!.name}|${p.peers[0]!.name}`);
  return { sustainable: picture ? picture.ok / picture.seconds : 0 };
}

/** Goodput (complete answers per second) of one peer at 0.5×, 1× and 2× a load, open loop. */
async function goodput(peer: Proc, subgraphs: Proc, authorization: string, sustainable: number) {
  const op = allOperations[1]!;
  console.log(`\ngoodput of ${peer.name} on the ${op.name}, open loop, ${seconds * 2} s per step (sustainable: ${sustainable.toFixed(1)} req/s)`);
  // warm-up (plans, caches, JIT), as before the peers: without it a goodput-only run's first step measures a cold start
  await closedLoop(peer.url, op.body, authorization, 2, 2);
  const rows: Record<string, Record<string, string>> = {};
  let peak = 0;
  let unanswered = 0;
  let last = 0;
  for (const factor of [0.5, 1, 2]) {
    const rate = sustainable * factor;
    const t0 = performance.now();
    // CPU of the gateway, the subgraphs and this process (the load generator shares the machine's cores)
    const cpu0 = [cpuSeconds(peer.child.pid!), cpuSeconds(subgraphs.child.pid!), process.cpuUsage()] as const;
    const outcomes = await openLoop(peer.url, op.body, authorization, rate, seconds * 2);
    const elapsed = (performance.now() - t0) / 1000;
    const client = process.cpuUsage(cpu0[2]);
    const cpu = [cpuSeconds(peer.child.pid!) - cpu0[0], cpuSeconds(subgraphs.child.pid!) - cpu0[1], (client.user + client.system) / 1e6];
    const ok = outcomes.filter((o) => o.ok);
    const sorted = ok.map((o) => o.ms).sort((x, y) => x - y);
    // complete answers per second of the step's whole time, until its last answer (answers that came after the
    // sending stopped do not make an overloaded step look better than it was)
    const good = ok.length / elapsed;
    peak = Math.max(peak, good);
    last = good;
    unanswered += outcomes.filter((o) => !o.answered).length;
    rows[`${factor}× (${rate.toFixed(1)} req/s)`] = {
      'goodput req/s': good.toFixed(1),
      'answered in full': String(ok.length),
      '503 + Retry-After': String(outcomes.filter((o) => o.status === 503).length),
      'other errors': String(outcomes.filter((o) => o.answered && !o.ok && o.status !== 503).length),
      'no answer (10 s)': String(outcomes.filter((o) => !o.answered).length),
      'p50 ms': pct(sorted, 0.5).toFixed(0),
      'p99 ms': pct(sorted, 0.99).toFixed(0),
      'drained in s': elapsed.toFixed(1),
      'CPU s gateway/subgraphs/bench': cpu.map((c) => c.toFixed(1)).join(' / '),
    };
  }
  console.table(rows);
  const share = (last / peak) * 100;
  console.log(`at 2×: goodput ${share.toFixed(0)}% of the peak (target ≥ 90%), ${unanswered} request(s) without an answer in 10 s (target 0): ${share >= 90 && unanswered === 0 ? 'met' : 'NOT met'}`);
}

// ---- main --------------------------------------------------------------------------------------------------------

const uptime = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`machine: load average ${uptime()} (1, 5, 15 min)`);
const dataset = await benchDataset();
try {
  if (phases.has('peers') || phases.has('goodput') || phases.has('reports')) {
    const peers = await startPeers(dataset.url);
    try {
      const authorization = `Bearer ${await issueToken({ sub: 'bench-city-integrator', role: 'CITY_INTEGRATOR', units: [PROVINCE] }, JWT_SECRET)}`;
      let sustainable = Number(env.BENCH_SUSTAINABLE ?? 0);
      if (phases.has('peers')) {
        console.log(`\nload average before the peers: ${uptime()}`);
        ({ sustainable } = await measurePeers(peers, authorization));
      }
      if (phases.has('goodput') && sustainable > 0) {
        console.log(`\nload average before the goodput curve: ${uptime()}`);
        await goodput(peers.peers[0]!, peers.subgraphs, authorization, sustainable);
      }
      console.log(`\nload average at the end: ${uptime()}`);
    } finally {
      await peers.stop();
    }
  }
  // the report latencies at N (test/bench/reports.ts, the data side's part of the bench)
  if (phases.has('reports')) await reportLatencies(dataset.url);
} finally {
  await dataset.drop();
}

/**
 * The dataset (test/bench/dataset.ts: N households with members, assessments, loans, cards and supports, imported
 * by the import command). With BENCH_DATABASE_NAME the database is kept, and reused when it already holds N.
 */
async function benchDataset(): Promise<{ url: string; households: number; drop(): Promise<void> }> {
  const name = env.BENCH_DATABASE_NAME;
  if (name) {
    const url = new URL(server);
    url.pathname = `/${name}`;
    const db = postgres(url.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
    const found = await db`select count(*)::int as n from households.households where code like 'BENCH-%'`.then((r) => r[0]!.n as number, () => null);
    await db.end();
    if (found !== null && found >= count) {
      console.log(`reusing database ${name}: ${found.toLocaleString('en')} generated households`);
      return { url: url.toString(), households: found, drop: async () => {} };
    }
    if (found !== null) throw new Error(`database ${name} holds ${found} generated households, not ${count}: drop it or name another`);
  }
  const built = await buildDataset({ households: count, server, name, progress: (line) => console.log(line) });
  return { url: built.url, households: built.counts.households, drop: name ? async () => {} : built.drop };
}

async function reportLatencies(url: string): Promise<void> {
  console.log(`\nreport latencies at ${dataset.households.toLocaleString('en')} households (test/bench/reports.ts: one at a time, the whole system in one process)`);
  for (const r of await measureReports({ url, runs: Number(env.BENCH_REPORT_RUNS ?? 10) })) console.log(formatResult(r));
}
