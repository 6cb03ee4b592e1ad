/**
 * A throwaway PostgreSQL cluster (initdb + pg_ctl on a free port, data in a temporary folder), so a test can stop
 * and restart a real server without disturbing the shared one on 5432. initdb and pg_ctl refuse to run as root:
 * when the tests run as root they run as user postgres.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** Asynchronous, so the event loop keeps running (sockets the server closes are noticed as they would be in production). */
async function run(command: string, args: string[], asPostgres: boolean): Promise<string> {
  const [cmd, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return (await promisify(execFile)(cmd, argv, { encoding: 'utf8' })).stdout;
}

/** Whether initdb and pg_ctl are on the PATH (the PostgreSQL server binaries). */
export function haveClusterTools(): boolean {
  try {
    execFileSync('pg_ctl', ['--version'], { stdio: 'ignore' });
    execFileSync('initdb', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Cluster {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

export async function createCluster(): Promise<Cluster> {
  const asPostgres = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'ansinh-pg-'));
  if (asPostgres) {
    const { uid, gid } = { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) };
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  await run('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '--encoding=UTF8', '--no-sync'], asPostgres);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`;
  const ctl = (...args: string[]) => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', ...args], asPostgres);
  await ctl('start');
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => { await ctl('stop', '-m', 'fast'); running = false; },
    start: async () => { await ctl('start'); running = true; },
    restart: async () => { await ctl('restart', '-m', 'fast'); running = true; },
    destroy: async () => {
      if (running) try { await ctl('stop', '-m', 'immediate'); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
