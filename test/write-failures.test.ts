/**
 * The disk fills while the system runs (PGlite folder on a small tmpfs, then filled): an import that needs space is
 * answered at once with DATABASE_WRITE_FAILED and the cause, `/ready` turns 503 "writes failing: the disk is full"
 * (naming the subgraph), and once space is back the next import writes and `/ready` is ready again. Then the same for
 * a mutation, on both databases: on PGlite the whole folder is on the full disk, on PostgreSQL the tables the
 * mutation writes first are in a tablespace on it. Root only (mount).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { demoData } from '@ansinh/demo-data';
import { generateImport } from './bench/generate.js';
import { TEST_JWT_SECRET, testSystem, tokenFor, type TestSystem } from './harness.js';
import { start, type Started } from './support/processes.js';

const database = inject('database');
const root = userInfo().uid === 0;

describe.skipIf(database.kind !== 'pglite' || !root)('a disk that fills while running', () => {
  const base = mkdtempSync(join(tmpdir(), 'ansinh-writes-'));
  const mount = join(base, 'disk');
  let server: Started | undefined;
  let mounted = false;
  afterAll(async () => {
    await server?.stop();
    if (mounted) execFileSync('umount', [mount]);
    rmSync(base, { recursive: true, force: true });
  });

  it('DATABASE_WRITE_FAILED with the cause, /ready not ready for writes, recovery once space is back', async () => {
    if (database.kind !== 'pglite') return;
    const size = Number(execFileSync('du', ['-sb', database.templateDir], { encoding: 'utf8' }).split('\t')[0]);
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(size / 1048576) + 64}m`, 'tmpfs', mount]);
    mounted = true;
    const dataDir = join(mount, 'db');
    cpSync(database.templateDir, dataDir, { recursive: true });
    const files = await generateImport(base, 3_000, 5, 'DISK', { programmes: false });
    const upload = async () => {
      const form = new FormData();
      for (const kind of ['households', 'members'] as const) form.append(kind, new Blob([readFileSync(files[kind])], { type: 'text/csv' }), `${kind}.csv`);
      const res = await fetch(new URL('/import', url), { method: 'POST', body: form, headers: { authorization: `Bearer ${await tokenFor('ADMIN')}` } });
      return { status: res.status, body: (await res.json()) as any };
    };
    const ready = async () => {
      const res = await fetch(new URL('/ready', url));
      return { status: res.status, body: (await res.json()) as any };
    };

    server = start(['--import', 'tsx', 'gateway/src/start-all.ts'], {
      ...process.env, PORT: '0', SUBGRAPH_BASE_PORT: '0', ANSINH_DATA_DIR: dataDir, ANSINH_DEMO_DATA: 'off', JWT_SECRET: TEST_JWT_SECRET,
    });
    const url = await server.waitFor(/Explorer and GraphQL endpoint: (http:\/\/[^\s"]+)/);
    expect((await ready()).status).toBe(200);

    // fill the disk, all but one page
    const free = statfsSync(mount);
    writeFileSync(join(mount, 'filler'), Buffer.alloc(free.bavail * free.bsize - 4096));
    const failed = await upload();
    expect(failed.status).toBe(503);
    expect(failed.body.errors[0].extensions.code).toBe('DATABASE_WRITE_FAILED');
    expect(failed.body.errors[0].message).toMatch(/could not write to the database: the disk is full \(53100\)\. Nothing was written/);
    const notReady = await ready();
    expect(notReady.status).toBe(503);
    expect(notReady.body.down.households).toMatch(/^writes failing: the disk is full \(53100\) \(since \d{4}-/);

    // space back: the next import writes, and /ready is ready again
    rmSync(join(mount, 'filler'));
    const applied = await upload();
    expect(applied.status).toBe(200);
    expect(applied.body.counts.households.added).toBe(3_000);
    expect((await ready()).status).toBe(200);
    expect(server.output()).not.toMatch(/DISK-0000001/);
  }, 300_000);
});

/** Fills a file system but for one 4 KB page (less than the 8 KB page PostgreSQL extends a table by). */
function fill(mount: string): string {
  const free = statfsSync(mount);
  const filler = join(mount, 'filler');
  writeFileSync(filler, Buffer.alloc(free.bavail * free.bsize - 4096));
  return filler;
}

describe.skipIf(!root)('a mutation on a full disk', () => {
  const base = mkdtempSync(join(tmpdir(), 'ansinh-mutation-disk-'));
  const mount = join(base, 'disk');
  const tablespace = `ansinh_full_${process.pid}_${Date.now()}`;
  let t: TestSystem | undefined;
  let mounted = false;
  let admin: postgres.Sql | undefined;
  afterAll(async () => {
    await t?.close(); // on PostgreSQL: drops the test's database, and with it its files in the tablespace
    if (admin) {
      await admin.unsafe(`drop tablespace if exists ${tablespace}`);
      await admin.end();
    }
    if (mounted) execFileSync('umount', [mount]);
    rmSync(base, { recursive: true, force: true });
  });

  it('DATABASE_WRITE_FAILED naming the subgraph, nothing written, /ready not ready; the retry writes once space is back', async () => {
    mkdirSync(mount);
    if (database.kind === 'pglite') {
      const size = Number(execFileSync('du', ['-sb', database.templateDir], { encoding: 'utf8' }).split('\t')[0]);
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(size / 1048576) + 64}m`, 'tmpfs', mount]);
      mounted = true;
      t = await testSystem({ pgliteDir: join(mount, 'db') });
    } else {
      t = await testSystem();
      // a tablespace on a 1 MB tmpfs owned by the server's user (the server runs on this machine, as in every test)
      admin = postgres(database.server, { max: 1, onnotice: () => {} });
      const [{ data_directory: dataDirectory }] = await admin<{ data_directory: string }[]>`select current_setting('data_directory') as data_directory`;
      const owner = statSync(dataDirectory!);
      chmodSync(base, 0o755);
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=1m,mode=0700,uid=${owner.uid},gid=${owner.gid}`, 'tmpfs', mount]);
      mounted = true;
      await admin.unsafe(`create tablespace ${tablespace} location '${mount}'`);
      // the first table a mutation writes (its idempotency key) and its index, empty: the insert must extend them
      if (t.connection.kind !== 'postgres') throw new Error('expected PostgreSQL');
      await t.connection.sql.unsafe(`alter table households.idempotency_keys set tablespace ${tablespace}`);
      for (const { indexname } of await t.connection.sql<{ indexname: string }[]>`select indexname from pg_indexes where schemaname = 'households' and tablename = 'idempotency_keys'`) {
        await t.connection.sql.unsafe(`alter index households."${indexname}" set tablespace ${tablespace}`);
      }
    }
    const system = t;
    const count = async () => {
      const q = 'select count(*)::int as n from households.assessments';
      const c = system.connection;
      return c.kind === 'pglite' ? (await c.pglite.query<{ n: number }>(q)).rows[0]!.n : ((await c.sql.unsafe(q))[0] as unknown as { n: number }).n;
    };
    const ready = async () => {
      const res = await fetch(new URL('/ready', system.url));
      return { status: res.status, body: (await res.json()) as any };
    };
    const h = demoData().households.filter((x) => x.unitId === '27376@origin').at(-1)!;
    const input = { idempotencyKey: randomUUID(), householdCode: h.code, reviewYear: 2025, kind: 'PERIODIC', assessedOn: '2025-10-06', incomePerCapita: 60_000_000, incomePeriod: 'YEAR', recordedBy: 'canbo.27376' };
    const record = () => system.query('mutation ($input: RecordAssessmentInput!) { recordAssessment(input: $input) { id assessedOn } }', { input });
    expect((await ready()).status).toBe(200);
    const before = await count();

    const filler = fill(mount);
    const started = Date.now();
    const failed = await record();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failed.data?.recordAssessment ?? null).toBeNull();
    expect(failed.errors?.[0]?.extensions).toMatchObject({ code: 'DATABASE_WRITE_FAILED', cause: 'the disk is full (53100)', subgraph: 'households' });
    expect(failed.errors?.[0]?.message).toBe('The households subgraph could not write to its database: the disk is full (53100). Nothing was written; retry when the operators have fixed it.');
    expect(await count()).toBe(before);
    const notReady = await ready();
    expect(notReady.status).toBe(503);
    expect(notReady.body.down.households).toMatch(/^writes failing: the disk is full \(53100\) \(since \d{4}-/);

    // space back: the retry with the same key writes the review, and /ready is ready again
    rmSync(filler);
    const retried = await record();
    expect(retried.errors).toBeUndefined();
    expect(retried.data.recordAssessment).toMatchObject({ assessedOn: '2025-10-06' });
    expect(await count()).toBe(before + 1);
    expect((await ready()).status).toBe(200);
  }, 300_000);
});
