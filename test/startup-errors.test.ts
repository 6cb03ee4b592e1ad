/**
 * A start that cannot open its database says why in one line, with the path, and exits 1 (no stack, no driver dump):
 * a data folder on a full disk, on a read-only file system, under a file, or holding a damaged database. The full
 * and read-only cases mount a small tmpfs, so they run only as root.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ROOT } from './support/processes.js';

const root = userInfo().uid === 0;
const base = mkdtempSync(join(tmpdir(), 'ansinh-startup-'));
const mounts: string[] = [];
function tmpfs(name: string, options: string): string {
  const dir = join(base, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of mounts) execFileSync('umount', [dir]);
  rmSync(base, { recursive: true, force: true });
});

function start(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/start-all.ts'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ANSINH_DATA_DIR: dataDir, PORT: '0', SUBGRAPH_BASE_PORT: '0' },
    });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

const cases: [string, () => string, (dir: string) => string, boolean][] = [
  ['a full disk', () => {
    const dir = tmpfs('full', 'size=64k');
    // nearly full: the folder takes a small write, the database's first files do not
    writeFileSync(join(dir, 'filler'), Buffer.alloc(56 * 1024));
    return join(dir, 'db');
  }, (dir) => `cannot open the PGlite database in ${dir}: the disk is full (ENOSPC)`, root],
  ['a disk with no space left at all', () => {
    const dir = tmpfs('zero', 'size=64k');
    writeFileSync(join(dir, 'filler'), Buffer.alloc(64 * 1024));
    return join(dir, 'db');
  }, (dir) => `cannot use the PGlite data folder ${dir}: the disk is full (ENOSPC)`, root],
  ['a read-only file system', () => tmpfs('ro', 'ro,size=1m'), (dir) => `cannot use the PGlite data folder ${dir}: the file system is read-only (EROFS)`, root],
  ['a path through a file', () => {
    writeFileSync(join(base, 'a-file'), 'x');
    return join(base, 'a-file', 'db');
  }, (dir) => `cannot use the PGlite data folder ${dir}: a part of the path is a file, not a folder (ENOTDIR)`, true],
  ['a damaged database', () => {
    const dir = join(base, 'damaged');
    mkdirSync(dir);
    writeFileSync(join(dir, 'PG_VERSION'), '99\n');
    writeFileSync(join(dir, 'global'), 'not a folder');
    return dir;
  }, (dir) => `cannot open the PGlite database in ${dir}: PGlite failed to initialize properly; if the folder holds another version's or a damaged database, move it away (the next start makes a new one)`, true],
];

describe.skipIf(inject('database').kind !== 'pglite')('start-up failures', () => {
  it.each(cases)('%s: one line with the cause and the path, exit 1', async (_name, prepare, expected, runs) => {
    if (!runs) return;
    const dir = prepare();
    const { code, stderr } = await start(dir);
    expect(code).toBe(1);
    expect(stderr).toBe(`ansinh: start-up failed: ${expected(dir)}\n`);
  }, 120_000);
});
