/**
 * The bench's dataset: N generated households (members, one assessment each) imported with the real import command
 * into a fresh PostgreSQL database that already holds the demo data. `buildDataset` is one function so that a
 * richer generator (programme rows) can replace it without touching the gateway bench.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { connect } from '@ansinh/db';
import { credit } from '@ansinh/credit';
import { health } from '@ansinh/health';
import { households } from '@ansinh/households';
import { housing } from '@ansinh/housing';
import { generateImport } from './generate.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Dataset {
  /** the database's URL */
  url: string;
  households: number;
  /** drops the database (unless it was kept) */
  drop(): Promise<void>;
}

/**
 * Builds the dataset on `server` (a PostgreSQL URL to create databases on). With `name` given and that database
 * already holding the generated households, it is reused as it is (BENCH_DATABASE_NAME: repeated runs skip the import).
 */
export async function buildDataset(options: { server: string; count: number; name?: string; log?: (line: string) => void }): Promise<Dataset> {
  const log = options.log ?? console.log;
  const name = options.name ?? `ansinh_bench_${Date.now()}`;
  const url = new URL(options.server);
  url.pathname = `/${name}`;
  const admin = postgres(options.server, { max: 1, onnotice: () => {} });
  const drop = async () => {
    if (!options.name) await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
  };
  try {
    const exists = (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
    if (exists) {
      const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
      const [row] = await db`select count(*)::int as n from households.households where code like 'BENCH-%'`.catch(() => [{ n: 0 }]);
      await db.end();
      if (row!.n >= options.count) {
        log(`reusing database ${name}: ${row!.n.toLocaleString('en')} generated households`);
        return { url: url.toString(), households: row!.n, drop };
      }
      await admin.unsafe(`drop database ${name} with (force)`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'ansinh-bench-'));
    try {
      let t = Date.now();
      const files = await generateImport(dir, options.count);
      const mb = (['households', 'members', 'assessments'] as const).reduce((s, k) => s + statSync(files[k]).size, 0) / 1e6;
      log(`generated ${files.counts.households.toLocaleString('en')} households, ${files.counts.members.toLocaleString('en')} members, ${files.counts.assessments.toLocaleString('en')} assessments (${mb.toFixed(1)} MB of CSV) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      await admin.unsafe(`create database ${name}`);
      const connection = await connect({ url: url.toString(), max: 2 });
      for (const f of [credit, health, housing]) await f(connection).prepare({ demo: true });
      await households(connection, { followers: [credit, health, housing].map((f) => f(connection).follower!) }).prepare({ demo: true });
      await connection.close();
      for (const run of ['first import', 'same files again']) {
        t = Date.now();
        const result = spawnSync(process.execPath, ['--import', 'tsx', 'gateway/src/import/cli.ts', files.households, files.members, files.assessments], {
          cwd: ROOT, env: { ...process.env, DATABASE_URL: url.toString() }, encoding: 'utf8', maxBuffer: 1 << 26,
        });
        const seconds = (Date.now() - t) / 1000;
        if (result.status !== 0) throw new Error(`import failed (${result.status}):\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
        log(`${run}: ${seconds.toFixed(1)} s (the whole command: start, read, validate, write, commit)`);
        log(result.stdout.split('\n').filter((l) => /added|Imported|Nothing to change/.test(l)).join('\n'));
      }
      // the planner needs statistics of the imported tables
      const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
      await db.unsafe('analyze');
      await db.end();
      return { url: url.toString(), households: files.counts.households, drop };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } catch (error) {
    await drop();
    throw error;
  }
}
