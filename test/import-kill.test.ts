/**
 * An import process killed mid-way (kill -9 while it writes) leaves no rows: the CLI runs for real on a fresh
 * PostgreSQL database, is killed once it has reported writing rows, and the tables are counted afterwards.
 * PostgreSQL only (TEST_DATABASE_URL): that is where a separate process and a server-side transaction exist.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateImport, type Generated } from './bench/generate.js';
import { databaseCopy, type DatabaseCopy } from './harness.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const enabled = Boolean(process.env.TEST_DATABASE_URL) && inject('database').kind === 'postgres';

describe.skipIf(!enabled)('an import killed mid-way', () => {
  // made in beforeAll: a skipped block (PGlite) leaves nothing behind
  let dir: string;
  let copy: DatabaseCopy;
  let db: postgres.Sql;
  let url: string;
  let files: Generated;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ansinh-kill-'));
    copy = await databaseCopy();
    url = copy.url!;
    db = postgres(url, { max: 1, onnotice: () => {} });
    files = await generateImport(dir, 30_000, 99, 'KILL');
  });
  afterAll(async () => {
    await db?.end();
    await copy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const count = async () => {
    const [row] = await db`select
      (select count(*)::int from households.households) as households,
      (select count(*)::int from households.households where code like 'KILL-%') as imported,
      (select count(*)::int from households.members) as members,
      (select count(*)::int from households.assessments) as assessments`;
    return row!;
  };

  it('leaves every table as it was', async () => {
    const before = await count();
    expect(before.imported).toBe(0);
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/import/cli.ts', files.households, files.members, files.assessments], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    // kill it once it says it has written members (households already written, inside the transaction)
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        log += d;
        if (/[\d,]+ members rows checked and written/.test(log)) resolve();
      });
      child.once('exit', () => reject(new Error(`the import ended before it was killed:\n${log}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(log).toMatch(/20,000 households rows checked and written/);

    // the server rolls the killed client's transaction back when its connection drops: wait for its backend to end
    let others = -1;
    for (let i = 0; i < 100 && others !== 0; i++) {
      [{ n: others }] = (await db`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`) as unknown as [{ n: number }];
      if (others) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(others).toBe(0);
    expect(await count()).toEqual(before);
  });
});
