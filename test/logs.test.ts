/**
 * Logs and metrics of a running system. Every request is one JSON log line with its id, operation, caller and
 * outcome, on the gateway and on each subgraph it reached; no line carries personal data, after sensitive reads, a
 * rejected import and an import whose write fails (the driver's error carries every row as parameters). The
 * import command, failing the same way, prints its cause and none of the rows. /metrics counts what happened.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connect } from '@ansinh/db';
import { captureLogs, log } from '@ansinh/server';
import { testSystem, type TestSystem } from './harness.js';
import { INTEGRATOR_HP, token, upload } from './support/import.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const KINDS = ['households', 'members', 'assessments', 'unit_totals', 'loans', 'insurance_cards', 'housing_supports'];
const example = (kind: string) => readFileSync(join(ROOT, `docs/import-examples/${kind}.csv`), 'utf8');
const EXAMPLES = Object.fromEntries(KINDS.map((k) => [k, example(k)]));
/** the people in the example files: names, national ids, card numbers, addresses */
const EXAMPLE_VALUES = [
  ...[...example('members').matchAll(/^[^,]+,\d+,([^,]+),[^,]*,[^,]*,[^,]*,(\d*),/gm)].flatMap((m) => [m[1]!, m[2]!]),
  ...[...example('insurance_cards').matchAll(/^([A-Z]{2}\d{13}),/gm)].map((m) => m[1]!),
  ...[...example('households').matchAll(/^[^,]+,"([^"]+)"/gm)].map((m) => m[1]!),
].filter((v) => v.length >= 6);

const lines: string[] = [];
let stopCapture: () => void = () => {};
let t: TestSystem;
const exec = (statement: string) => (t.connection.kind === 'pglite' ? t.connection.pglite.exec(statement) : t.connection.sql.unsafe(statement));
const entries = () => lines.map((l) => JSON.parse(l) as Record<string, any>);

beforeAll(async () => {
  t = await testSystem();
  log.level = 'info';
  stopCapture = captureLogs((line) => lines.push(line));
});
afterAll(async () => {
  stopCapture();
  log.level = process.env.TEST_LOG_LEVEL ?? 'warn';
  await t?.close();
});

const PICTURE = `query HouseholdPicture($code: String!) { householdByCode(code: $code) {
  code address members { fullName dateOfBirth nationalId insuranceCards { cardNumber } } loans { code outstanding } housingSupports { kind }
} }`;

/** every personal value a sensitive read returned, to look for in the logs */
const seen = new Set<string>(EXAMPLE_VALUES);

describe('request log lines', () => {
  it('one line per request on the gateway and on each subgraph it reached, with id, operation, caller, duration and outcome', async () => {
    const res = await t.query(PICTURE, { code: '27346-00097' }, await t.as('WARD_OFFICER', ['27346']));
    expect(res.status).toBe(200);
    const h = res.data.householdByCode;
    for (const m of h.members) for (const v of [m.fullName, m.nationalId, ...m.insuranceCards.map((c: { cardNumber: string }) => c.cardNumber)]) if (v) seen.add(v);
    seen.add(h.address);
    expect(seen.size).toBeGreaterThan(EXAMPLE_VALUES.length + 3);

    const mine = entries().filter((e) => e.requestId === res.requestId && e.msg === 'request');
    const gateway = mine.find((e) => e.service === 'gateway')!;
    expect(gateway).toMatchObject({
      level: 'info', operation: 'HouseholdPicture', subject: 'test-ward_officer', role: 'WARD_OFFICER', status: 200, outcome: 'ok', method: 'POST', path: '/',
    });
    expect(gateway.durationMs).toBeGreaterThan(0);
    expect([...gateway.subgraphs].sort()).toEqual(['credit', 'health', 'households', 'housing']);
    // each subgraph logs the same request id and the client's operation name, for the same caller
    expect(mine.filter((e) => e.service !== 'gateway').map((e) => e.service).sort()).toEqual(expect.arrayContaining(['credit', 'health', 'households', 'housing']));
    for (const e of mine) expect(e).toMatchObject({ operation: 'HouseholdPicture', subject: 'test-ward_officer', role: 'WARD_OFFICER', outcome: 'ok' });
  });

  it('an answer with errors is logged with its codes, not its messages', async () => {
    const res = await t.query('query Missing { householdByCode(code: "27346-00097") { members { nationalId } } a: unit(code: "775") { name } }', {}, await t.as('ANALYST'));
    const line = entries().find((e) => e.requestId === res.requestId && e.service === 'gateway')!;
    expect(line.errorCodes).toEqual(['FORBIDDEN']);
    expect(['partial', 'failed']).toContain(line.outcome);
  });
});

describe('imports in the logs', () => {
  it('a rejected import is logged with its counts, not the bad values', async () => {
    const bad = { members: 'household_code,position,full_name,date_of_birth,gender,relation_to_head,national_id,ethnicity\nHP-NOPE-00000,1,Đoàn Thị Bích Ngọc,1990-01-01,FEMALE,HEAD,079190012345,Kinh\n' };
    seen.add('Đoàn Thị Bích Ngọc');
    seen.add('079190012345');
    const { status, body } = await upload(t.url, bad, { token: token(INTEGRATOR_HP) });
    expect(status).toBe(422);
    expect(body.issues[0].value).toBe('HP-NOPE-00000'); // the caller gets its report, values and all
    const line = entries().find((e) => e.path === '/import' && e.import?.status === 'rejected')!;
    expect(line).toMatchObject({ service: 'gateway', operation: 'import', subject: 'hai-phong-integrator', role: 'CITY_INTEGRATOR', status: 422, import: { files: 1, issues: 1 } });
  });

  it('an import whose write fails logs the cause and the counts, and answers with the cause and the request id', async () => {
    // a fault at write time: the members insert (one statement whose parameters hold every member) is refused
    await exec(`create function households.refuse_members() returns trigger language plpgsql as $$ begin raise exception 'members refused by the test'; end $$;
      create trigger refuse_members before insert on households.members for each statement execute function households.refuse_members()`);
    try {
      const { status, body } = await upload(t.url, EXAMPLES, { token: token(INTEGRATOR_HP) });
      expect(status).toBe(500);
      expect(body.errors[0].message).toMatch(/^The import failed and wrote nothing \(members refused by the test\)\. Quote request \S+ to the operators\.$/);
      const failed = entries().find((e) => e.msg === 'import failed: nothing was written')!;
      expect(failed).toMatchObject({ level: 'error', subject: 'hai-phong-integrator', files: KINDS, counts: { households: { added: 3 }, members: { added: 6 } } });
      expect(JSON.stringify(failed.err)).toContain('members refused by the test');
      expect(JSON.stringify(failed.err)).not.toContain('params');
    } finally {
      await exec('drop trigger if exists refuse_members on households.members; drop function if exists households.refuse_members()');
    }
  });
});

describe('metrics', () => {
  const scrape = async (url: string) => (await (await fetch(new URL('/metrics', url))).text());
  /** the value of the series `name{labels…}` in Prometheus' text format, whatever the order of its labels */
  const value = (text: string, name: string, labels: Record<string, string>) => {
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+)\{([^}]*)\}\s+(\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
    }
    return NaN;
  };

  it('the gateway counts requests by operation and outcome, times them and its subgraph fetches, and counts imports', async () => {
    const text = await scrape(t.url);
    expect(value(text, 'ansinh_requests_total', { operation: 'HouseholdPicture', outcome: 'ok', service: 'gateway' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'ansinh_request_duration_seconds_count', { operation: 'HouseholdPicture', outcome: 'ok', service: 'gateway' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'ansinh_subgraph_fetch_duration_seconds_count', { subgraph: 'credit', outcome: 'ok', service: 'gateway' })).toBeGreaterThanOrEqual(1);
    expect(value(text, 'ansinh_imports_total', { status: 'rejected', service: 'gateway' })).toBe(1);
    expect(value(text, 'ansinh_imports_total', { status: 'failed', service: 'gateway' })).toBe(1);
    expect(value(text, 'ansinh_import_rows_total', { kind: 'members', result: 'bad_value', service: 'gateway' })).toBe(1);
    expect(text).toMatch(/^ansinh_process_resident_memory_bytes \d+/m);
  });

  it('a subgraph counts exactly the SQL statements it sent, with their durations and its pool', async () => {
    const households = t.system.subgraphs.households.url;
    const before = value(await scrape(households), 'ansinh_sql_statements_total', { subgraph: 'households', outcome: 'ok', service: 'households' });
    const counted = await t.countStatements(() => t.query(PICTURE, { code: '27373-00012' }));
    const text = await scrape(households);
    const after = value(text, 'ansinh_sql_statements_total', { subgraph: 'households', outcome: 'ok', service: 'households' });
    expect(after - before).toBe(counted.households);
    expect(value(text, 'ansinh_sql_statement_duration_seconds_count', { subgraph: 'households', outcome: 'ok', service: 'households' })).toBe(after);
    expect(value(text, 'ansinh_db_pool_connections', { pool: 'main', state: 'max', service: 'households' })).toBe(t.connection.kind === 'pglite' ? 1 : 4);
    expect(value(text, 'ansinh_db_pool_connections', { pool: 'main', state: 'busy', service: 'households' })).toBe(0);
    expect(value(text, 'ansinh_requests_total', { operation: 'HouseholdPicture', outcome: 'ok', service: 'households' })).toBeGreaterThanOrEqual(2);
  });

  it('a dry run counts the rows it would add', async () => {
    const { status } = await upload(t.url, EXAMPLES, { token: token(INTEGRATOR_HP), dryRun: true });
    expect(status).toBe(200);
    const text = await scrape(t.url);
    expect(value(text, 'ansinh_import_rows_total', { kind: 'households', result: 'added', service: 'gateway' })).toBe(3);
    expect(value(text, 'ansinh_import_rows_total', { kind: 'members', result: 'added', service: 'gateway' })).toBe(6);
  });
});

describe('no personal data in any log line', () => {
  it('none of the names, national ids, card numbers or addresses read or imported appear in the logs', () => {
    expect(lines.length).toBeGreaterThan(10);
    const text = lines.join('');
    const found = [...seen].filter((v) => text.includes(v) || text.includes(JSON.stringify(v).slice(1, -1)));
    expect(found).toEqual([]);
    expect(text).not.toMatch(/"(parameters|params|query|variables)":/);
  });
});

describe.skipIf(inject('database').kind !== 'pglite')('the import command', () => {
  it('prints the cause of a failed write and none of the rows', async () => {
    const database = inject('database');
    if (database.kind !== 'pglite') return;
    const dir = mkdtempSync(join(tmpdir(), 'ansinh-cli-log-'));
    try {
      cpSync(database.templateDir, join(dir, 'pglite'), { recursive: true });
      const c = await connect({ dataDir: join(dir, 'pglite') });
      if (c.kind === 'pglite') await c.pglite.exec(`create function households.refuse_members() returns trigger language plpgsql as $$ begin raise exception 'members refused by the test'; end $$;
        create trigger refuse_members before insert on households.members for each statement execute function households.refuse_members()`);
      await c.close();
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'gateway/src/import/cli.ts', ...KINDS.map((k) => `docs/import-examples/${k}.csv`)], {
        cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ANSINH_DATA_DIR: join(dir, 'pglite') }, encoding: 'utf8',
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('import failed: members refused by the test');
      const output = r.stdout + r.stderr;
      expect(EXAMPLE_VALUES.filter((v) => output.includes(v))).toEqual([]);
      expect(output.length).toBeLessThan(4_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
