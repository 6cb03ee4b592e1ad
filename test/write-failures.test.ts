/**
 * The disk fills while the system runs (PGlite folder on a small tmpfs, then filled): an import that needs space is
 * answered at once with DATABASE_WRITE_FAILED and the cause, `/ready` turns 503 "writes failing: the disk is full"
 * (naming the subgraph), and once space is back the next import writes and `/ready` is ready again. Root only (mount).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { generateImport } from './bench/generate.js';
import { TEST_JWT_SECRET, tokenFor } from './harness.js';
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
