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

  it('says which kind a file name does not tell', () => {
    const r = run(join(dir, 'export.csv'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot tell what');
  });
});
