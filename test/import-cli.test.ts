/**
 * The import command (`pnpm run import`), run for real as its own process on a copy of the PGlite test database:
 * a bad file is rejected with every bad value printed and exit status 1; the example files are imported (0);
 * the same files again change nothing and say so.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EXAMPLES = ['households', 'members', 'assessments', 'unit_totals', 'loans', 'insurance_cards', 'housing_supports'].map((k) => `docs/import-examples/${k}.csv`);
const database = inject('database');

describe.skipIf(database.kind !== 'pglite')('pnpm run import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ansinh-cli-'));
  const data = join(dir, 'pglite');
  beforeAll(() => {
    if (database.kind === 'pglite') cpSync(database.templateDir, data, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'gateway/src/import/cli.ts', ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ANSINH_DATA_DIR: data }, encoding: 'utf8',
  });

  it('rejects a bad file, printing every bad value, and exits 1', () => {
    const bad = join(dir, 'unit_totals.csv');
    writeFileSync(bad, 'unit_code,year,households,persons\n11410,2024,100,90\n11410,20x4,5,5\n');
    const r = run(bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`${bad}:2: persons "90": fewer persons than households (100)`);
    expect(r.stdout).toContain(`${bad}:3: year "20x4": not a whole number (digits only, no separators)`);
    expect(r.stdout).toContain('2 bad values: nothing was written.');
  });

  it('imports the example files, then finds nothing to change in them', () => {
    const first = run(...EXAMPLES);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/households\s+3 added\s+0 changed\s+0 unchanged/);
    expect(first.stderr).toMatch(/households subgraph: .* rows written/);
    const again = run(...EXAMPLES);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/members\s+0 added\s+0 changed\s+6 unchanged/);
    expect(again.stdout).toContain('Nothing to change: every row is already stored as it is');
    // two processes, each starting tsx and PGlite: slow on a loaded machine
  }, 180_000);

  it('pnpm recount counts today\'s figures of a report stored for yesterday (the reports\' own counting, loaded in the command)', async () => {
    const { connect } = await import('@ansinh/db');
    const exec = async (text: string) => {
      const c = await connect({ dataDir: data });
      try {
        return c.kind === 'pglite' ? (await c.pglite.query<Record<string, unknown>>(text)).rows : [];
      } finally {
        await c.close();
      }
    };
    // a report asked yesterday for yesterday, for one ward
    await exec(`insert into health.report_summaries (report, args, unit_id, epoch, version, figures, asked_on)
      select 'healthStatistics', '{"on":"' || (current_date - 1)::text || '"}', id, 0, 0, '[]', current_date - 1
      from health.units where code = '11410' order by valid_from desc nulls last limit 1`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'gateway/src/recount-cli.ts'], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ANSINH_DATA_DIR: data }, encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    // (the row written here is stale too: its epoch is not the database's, so it is counted again first)
    expect(r.stderr).toMatch(/health: 1 stale report summaries counted again \(1 units\); 1 of yesterday's reports counted for today \(1 units\)/);
    expect(r.stderr).toMatch(/credit: .* 0 of yesterday's reports counted for today/);
    const today = await exec(`select asked_on::text as asked_on from health.report_summaries
      where report = 'healthStatistics' and args = '{"on":"' || current_date::text || '"}'`);
    // stored for today, keeping yesterday as the day it was last asked
    const [yesterday] = await exec(`select (current_date - 1)::text as d`);
    expect(today).toEqual([{ asked_on: yesterday!.d }]);
  }, 120_000);

  it('says which kind a file name does not tell', () => {
    const r = run(join(dir, 'export.csv'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot tell what');
  });
});
