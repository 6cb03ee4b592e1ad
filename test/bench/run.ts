/**
 * `pnpm bench`: the import benchmark. Generates 100,000 households with their members and assessments
 * (deterministic), creates a fresh PostgreSQL database with the demo data (BENCH_DATABASE_URL, else
 * TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres as the server to create it on), then runs the
 * real import command on the files and prints how long it took; then imports the same files again (a no-op).
 * BENCH_HOUSEHOLDS changes the size.
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

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const server = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const count = Number(process.env.BENCH_HOUSEHOLDS ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'ansinh-bench-'));
const name = `ansinh_bench_${Date.now()}`;
const admin = postgres(server, { max: 1, onnotice: () => {} });
try {
  let t = Date.now();
  const files = await generateImport(dir, count);
  const mb = (['households', 'members', 'assessments'] as const).reduce((s, k) => s + statSync(files[k]).size, 0) / 1e6;
  console.log(`generated ${files.counts.households.toLocaleString('en')} households, ${files.counts.members.toLocaleString('en')} members, ${files.counts.assessments.toLocaleString('en')} assessments (${mb.toFixed(1)} MB of CSV) in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  await admin.unsafe(`create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const connection = await connect({ url: url.toString(), max: 2 });
  for (const f of [households, credit, health, housing]) await f(connection).prepare({ demo: true });
  await connection.close();

  for (const run of ['first import', 'same files again']) {
    t = Date.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'gateway/src/import/cli.ts', files.households, files.members, files.assessments], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: url.toString() }, encoding: 'utf8', maxBuffer: 1 << 26,
    });
    const seconds = (Date.now() - t) / 1000;
    if (result.status !== 0) throw new Error(`import failed (${result.status}):\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
    console.log(`\n${run}: ${seconds.toFixed(1)} s (the whole command: start, read, validate, write, commit)`);
    console.log(result.stdout.split('\n').filter((l) => /added|Imported|Nothing to change/.test(l)).join('\n'));
  }
} finally {
  await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
