/**
 * Report latencies at N households: starts the whole system in this process on a database built by dataset.ts, then
 * asks every area report for a province, a district and a ward (areaStatistics, creditStatistics, healthStatistics
 * with coverage, housingStatistics, gapStatistics) and a household's page and full picture, one request at a time,
 * and prints p50/p99, the SQL statements per request and the largest request body the gateway sent a subgraph
 * (cross-subgraph reports must pass counts or bit-packed flags, never household ids: docs/performance.md).
 *   node --import tsx test/bench/reports.ts DATABASE_URL [runs]   (REPORT_ROLE=ANALYST, REPORT_CASES=a,b, REPORT_KEEP_SUMMARIES=1)
 * `measureReports` is what `pnpm bench` (run.ts) calls.
 */
import { connect, sql } from '@ansinh/db';
import { issueToken, observeSubgraphRequests, startSystem, SUBGRAPHS, type SubgraphName } from '@ansinh/gateway';
import { log } from '@ansinh/server';
import { provinceWards, PROVINCE } from './generate.js';

export interface ReportCase { name: string; query: string }
export interface ReportResult {
  name: string;
  runs: number;
  p50: number;
  p99: number;
  /** the first request (a warm-up): with the summaries dropped at the start, a report counted from the records */
  first: number;
  /** SQL statements per request, per subgraph that ran any */
  statements: Partial<Record<SubgraphName, number>>;
  /** the largest request body the gateway sent each subgraph it called (bytes) */
  bodyBytes: Partial<Record<SubgraphName, number>>;
  errors: string[];
}

/** The units the benchmark asks about: the province, its old district with the most wards, that district's first ward. */
export function benchUnits(): { province: string; district: string; ward: string } {
  const wards = provinceWards();
  const byDistrict = new Map<string, number>();
  for (const w of wards) byDistrict.set(w.district, (byDistrict.get(w.district) ?? 0) + 1);
  const district = [...byDistrict].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
  return { province: PROVINCE, district, ward: wards.find((w) => w.district === district)!.code };
}

const PAGE = `code address unit { code name } areaType members { fullName dateOfBirth relationToHead } currentStatus { status standard { code } }`;
const PICTURE = `code address unit { code name } areaType
  members { fullName dateOfBirth relationToHead insuranceCards { cardNumber validTo } }
  currentStatus { status standard { code } }
  loans { programme principal outstanding }
  housingSupports { kind status fundingLines { source amount } }`;

export function reportCases(units = benchUnits(), household = 'BENCH-0000002'): ReportCase[] {
  const levels = [['province', units.province], ['district', units.district], ['ward', units.ward]] as const;
  return [
    ...levels.flatMap(([level, code]) => [
      { name: `areaStatistics ${level}`, query: `{ areaStatistics(unitCode: "${code}", year: 2024) { totalHouseholds poorHouseholds poorPersons nearPoorHouseholds poorRate } }` },
      { name: `creditStatistics ${level}`, query: `{ creditStatistics(unitCode: "${code}", on: "2025-12-31") { programmes { programme borrowers outstanding } } }` },
      { name: `healthStatistics+coverage ${level}`, query: `{ healthStatistics(unitCode: "${code}", on: "2025-12-31") { total { cards } coverage { beneficiaryGroup persons covered rate } } }` },
      { name: `housingStatistics ${level}`, query: `{ housingStatistics(unitCode: "${code}", from: "2025-01-01", to: "2025-12-31") { __typename } }` },
      { name: `gapStatistics ${level}`, query: `{ gapStatistics(unitCode: "${code}", on: "2025-12-31") { households householdsWithGaps byKind { kind households } } }` },
    ]),
    // the same search at each level: a post-reform unit rolls up the old units it was made of (docs/areas.md)
    ...levels.map(([level, code]) => ({ name: `searchHouseholds ${level}`, query: `{ searchHouseholds(text: "nguyen", unitCode: "${code}", first: 20) { code unit { code } } }` })),
    { name: 'household page', query: `{ householdByCode(code: "${household}") { ${PAGE} } }` },
    { name: 'full picture', query: `{ householdByCode(code: "${household}") { ${PICTURE} } }` },
  ];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function measureReports(options: { url: string; runs?: number; warmup?: number; cases?: ReportCase[]; role?: 'ADMIN' | 'ANALYST'; keepSummaries?: boolean; progress?: (line: string) => void }): Promise<ReportResult[]> {
  const runs = options.runs ?? 30;
  const warmup = options.warmup ?? 2;
  const previousLevel = log.level;
  log.level = 'warn';
  const connection = await connect({ url: options.url, max: 8 });
  const secret = 'bench-secret-of-the-reports-benchmark-only';
  // the size of every request body the gateway sends a subgraph (gateway/src/fetch.ts tells)
  const bodies = new Map<string, number>();
  const realFetch = globalThis.fetch;
  const ports = new Map<string, SubgraphName>();
  observeSubgraphRequests((url, bytes) => {
    const name = ports.get(new URL(url).port);
    if (name) bodies.set(name, Math.max(bodies.get(name) ?? 0, bytes));
  });
  const system = await startSystem({
    connection, port: 0, subgraphBasePort: 0, demo: false, auth: { jwtSecret: secret }, trustedDocuments: false,
    explorer: false, introspection: true, timeouts: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, 120_000])), rateLimit: null, corsOrigins: [],
  });
  for (const s of SUBGRAPHS) ports.set(new URL(system.subgraphs[s.name].url).port, s.name);
  const role = options.role ?? 'ADMIN';
  const token = await issueToken({ sub: `bench-${role.toLowerCase()}`, role, units: [] }, secret, { expiresIn: '2h' });
  // every report's first request counts from the records (packages/db summaries.ts): the summaries of earlier runs
  // dropped, unless keepSummaries (what a user meets, e.g. after an import that counted them again)
  if (!options.keepSummaries) for (const s of SUBGRAPHS) await system.services[s.name].db.execute(sql`delete from ${sql.raw(`"${s.name}".report_summaries`)}`).catch(() => undefined);
  const results: ReportResult[] = [];
  try {
    for (const c of options.cases ?? reportCases()) {
      const times: number[] = [];
      const errors = new Set<string>();
      bodies.clear();
      let statements: Partial<Record<SubgraphName, number>> = {};
      let first = 0;
      for (let i = 0; i < warmup + runs; i++) {
        for (const s of SUBGRAPHS) system.services[s.name].counter.reset();
        const started = performance.now();
        const res = await realFetch(system.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: c.query }) });
        const body = (await res.json()) as { errors?: { message: string }[] };
        const ms = performance.now() - started;
        for (const e of body.errors ?? []) errors.add(e.message.slice(0, 160));
        if (res.status !== 200) errors.add(`HTTP ${res.status}`);
        if (i === 0) first = ms;
        if (i < warmup) continue;
        times.push(ms);
        statements = Object.fromEntries(SUBGRAPHS.map((s) => [s.name, system.services[s.name].counter.count]).filter(([, n]) => (n as number) > 0));
      }
      times.sort((a, b) => a - b);
      const r = { name: c.name, runs, p50: percentile(times, 50), p99: percentile(times, 99), first, statements, bodyBytes: Object.fromEntries(bodies), errors: [...errors] };
      results.push(r);
      options.progress?.(formatResult(r));
    }
  } finally {
    observeSubgraphRequests(undefined);
    await system.close();
    await connection.close();
    log.level = previousLevel;
  }
  return results;
}

export function formatResult(r: ReportResult): string {
  const statements = Object.entries(r.statements).map(([s, n]) => `${s} ${n}`).join(', ');
  const bytes = Object.entries(r.bodyBytes).map(([s, n]) => `${s} ${n} B`).join(', ');
  return `${r.name.padEnd(36)} first ${r.first.toFixed(0).padStart(6)} ms  p50 ${r.p50.toFixed(0).padStart(6)} ms  p99 ${r.p99.toFixed(0).padStart(6)} ms  SQL: ${statements || '-'}  subgraph bodies: ${bytes || '-'}${r.errors.length ? `  ERRORS: ${r.errors.join(' | ')}` : ''}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, runs] = process.argv.slice(2);
  if (!url) throw new Error('usage: node --import tsx test/bench/reports.ts DATABASE_URL [runs]');
  const { execSync } = await import('node:child_process');
  console.log(`load: ${execSync('uptime').toString().trim()}`);
  // REPORT_CASES=search,household: only the cases whose name contains one of these
  const only = process.env.REPORT_CASES?.split(',');
  const cases = only ? reportCases().filter((c) => only.some((w) => c.name.includes(w))) : undefined;
  // REPORT_ROLE=ANALYST: as an analyst (small-cell protection: each unit decided in its parent's group)
  const role = process.env.REPORT_ROLE === 'ANALYST' ? 'ANALYST' : 'ADMIN';
  // REPORT_KEEP_SUMMARIES=1: the stored summaries kept, so `first` is what the next user meets
  await measureReports({ url, runs: Number(runs ?? 30), cases, role, keepSummaries: process.env.REPORT_KEEP_SUMMARIES === '1', progress: (line) => console.log(line) });
  console.log(`load: ${execSync('uptime').toString().trim()}`);
}
