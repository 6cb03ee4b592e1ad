/**
 * A benchmark dataset of N households on PostgreSQL: generates the CSV files (generate.ts: households, members,
 * assessments, loans, BHYT cards, housing supports), creates a database on `server`, and loads them with the real
 * import command (`pnpm import`, which migrates a new database, loads the reference data and analyses the tables it
 * filled), timed by /usr/bin/time -v for its peak RSS where that exists.
 *   node --import tsx test/bench/dataset.ts N [SERVER_URL]   (keeps the database and prints its URL)
 * `buildDataset` is what `pnpm bench` (run.ts) calls.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { generateImport, type Generated } from './generate.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Dataset {
  url: string;
  name: string;
  counts: Generated['counts'];
  csvMegabytes: number;
  generateSeconds: number;
  import: { seconds: number; peakRssMegabytes: number | null; output: string };
  /** drops the database */
  drop(): Promise<void>;
}

/** Runs the import command on files (DATABASE_URL = url): wall time and, with /usr/bin/time, peak RSS. */
export function timedImport(url: string, files: string[]): Dataset['import'] {
  const timed = existsSync('/usr/bin/time');
  const command = [process.execPath, '--import', 'tsx', 'gateway/src/import/cli.ts', ...files];
  const started = Date.now();
  const result = spawnSync(timed ? '/usr/bin/time' : command[0]!, timed ? ['-v', ...command] : command.slice(1), {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8', maxBuffer: 1 << 28,
  });
  const seconds = (Date.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`import failed (${result.status}):\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  return { seconds, peakRssMegabytes: rss ? Number(rss[1]) / 1024 : null, output: result.stdout };
}

export async function buildDataset(options: { households: number; server?: string; name?: string; progress?: (line: string) => void }): Promise<Dataset> {
  const server = options.server ?? process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = options.name ?? `ansinh_bench_${options.households}_${Date.now()}`;
  const say = options.progress ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'ansinh-dataset-'));
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    let t = Date.now();
    const files = await generateImport(dir, options.households);
    const generateSeconds = (Date.now() - t) / 1000;
    const csvMegabytes = files.files.reduce((s, f) => s + statSync(f).size, 0) / 1e6;
    say(`generated ${Object.entries(files.counts).map(([k, n]) => `${n.toLocaleString('en')} ${k}`).join(', ')} (${csvMegabytes.toFixed(0)} MB of CSV) in ${generateSeconds.toFixed(1)} s`);
    await admin.unsafe(`create database ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    t = Date.now();
    const imported = timedImport(url.toString(), files.files);
    say(`imported in ${imported.seconds.toFixed(0)} s, peak RSS ${imported.peakRssMegabytes?.toFixed(0) ?? '?'} MB`);
    return {
      url: url.toString(), name, counts: files.counts, csvMegabytes, generateSeconds, import: imported,
      drop: async () => {
        const a = postgres(server, { max: 1, onnotice: () => {} });
        await a.unsafe(`drop database if exists ${name} with (force)`);
        await a.end();
      },
    };
  } finally {
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [n, server] = process.argv.slice(2);
  if (!n) throw new Error('usage: node --import tsx test/bench/dataset.ts N [SERVER_URL]');
  const { execSync } = await import('node:child_process');
  console.log(`load: ${execSync('uptime').toString().trim()}`);
  const d = await buildDataset({ households: Number(n), server, progress: (line) => console.log(line) });
  console.log(`load: ${execSync('uptime').toString().trim()}`);
  console.log(`database: ${d.url}`);
}
