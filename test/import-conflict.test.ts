/**
 * Two overlapping imports at once: the one that comes second stops at once with CONFLICT and the identity of the
 * import that holds the lock (who, process, host, since when), exit status 3, and no row value on its stderr; the
 * first one goes on and commits. The first CLI is paused (SIGSTOP) while it holds its transaction, so the overlap is
 * certain. PostgreSQL only (TEST_DATABASE_URL): separate processes over one database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { IMPORT_LOCK_KEY } from '@ansinh/gateway';
import { generateImport, type Generated } from './bench/generate.js';
import { databaseCopy, type DatabaseCopy } from './harness.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const enabled = Boolean(process.env.TEST_DATABASE_URL) && inject('database').kind === 'postgres';

describe.skipIf(!enabled)('two overlapping imports', () => {
  // made in beforeAll: a skipped block (PGlite) leaves nothing behind
  let dir: string;
  let copy: DatabaseCopy;
  let db: postgres.Sql;
  let url: string;
  let files: Generated;
  // an import in another database of the same server, holding its own lock there all along
  let elsewhere: DatabaseCopy;
  let elsewhereDb: postgres.Sql;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ansinh-conflict-'));
    copy = await databaseCopy();
    url = copy.url!;
    db = postgres(url, { max: 1, onnotice: () => {} });
    files = await generateImport(dir, 30_000, 77, 'CONF');
    elsewhere = await databaseCopy();
    elsewhereDb = postgres(elsewhere.url!, { max: 1, onnotice: () => {}, connection: { application_name: 'ansinh import: an import of another database' } });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) { c.kill('SIGCONT'); c.kill('SIGKILL'); }
    await db?.end();
    await elsewhereDb?.end();
    await copy?.close();
    await elsewhere?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/import/cli.ts', files.households, files.members, files.assessments], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const out = { stderr: '', stdout: '' };
    child.stderr!.on('data', (d) => { out.stderr += d; });
    child.stdout!.on('data', (d) => { out.stdout += d; });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, out, exited };
  };

  it('the second says CONFLICT with the first one\'s identity and no row value; the first commits', async () => {
    // the lock is per database: another database's import neither blocks these nor is named as their holder
    let endElsewhere!: () => void;
    const heldElsewhere = new Promise<void>((resolve) => { endElsewhere = resolve; });
    const elsewhereTx = elsewhereDb.begin(async (tx) => { await tx`select pg_advisory_xact_lock(${IMPORT_LOCK_KEY[0]}::int, ${IMPORT_LOCK_KEY[1]}::int)`; await heldElsewhere; });
    const first = run();
    // pause the first once it is writing inside its transaction (it holds the import lock until it ends)
    await new Promise<void>((resolve, reject) => {
      first.child.stderr!.on('data', () => { if (/households rows checked and written/.test(first.out.stderr)) resolve(); });
      first.child.once('exit', () => reject(new Error(`the first import ended before it was paused:\n${first.out.stderr}`)));
    });
    first.child.kill('SIGSTOP');
    const second = run();
    const code = await second.exited;
    first.child.kill('SIGCONT');

    expect(code).toBe(3);
    expect(second.out.stderr).toMatch(new RegExp(`import failed \\(CONFLICT\\): another import is running: cli \\(ADMIN\\) pid ${first.child.pid} on .+, started \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ; nothing was written`));
    // short, and no name, address or identity number of the files
    expect(second.out.stderr.length).toBeLessThan(2000);
    // addresses are the quoted cells of households.csv; members.csv has no quoted cell (name 3rd, national id 7th)
    const addresses = [...readFileSync(files.households, 'utf8').matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    const members = readFileSync(files.members, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const values = [...addresses, ...members.map((m) => m[2]!), ...members.map((m) => m[6]!).filter(Boolean)];
    expect(values.length).toBeGreaterThan(60_000);
    const leaked = values.filter((v) => second.out.stderr.includes(v) || second.out.stdout.includes(v));
    expect(leaked).toEqual([]);

    expect(await first.exited).toBe(0);
    const [row] = await db`select count(*)::int as n from households.households where code like 'CONF-%'`;
    expect(row!.n).toBe(30_000);
    endElsewhere();
    await elsewhereTx;
  }, 240_000);
});
