/**
 * `pnpm import [--dry-run] [--units 79,31] [--json] FILE...` — imports CSV files straight into the database
 * (DATABASE_URL, or the PGlite folder ANSINH_DATA_DIR / .data/pglite). A file's kind comes from its name
 * (households.csv, members-2024.csv, …) or is given as KIND=FILE. Exit status: 0 imported (or valid in a dry
 * run), 1 rejected (every bad row is printed), 2 usage or system error, 3 another import is running (CONFLICT: the
 * line names it and when it started; nothing was written).
 */
import { createReadStream, existsSync } from 'node:fs';
import { connectFromEnv, createServices, importDbs, prepareServices } from '../system.js';
import { rootCause } from '@ansinh/server';
import { FILE_KINDS, ImportConflict, ImportSession, isFileKind, kindFromName, type FileKind } from './orchestrator.js';

// a driver's error carries the failed statement's parameters (every row value): only its cause is printed
const fail = (error: unknown) => {
  process.stderr.write(`import failed: ${rootCause(error)}\n`);
  process.exit(2);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

function usage(message: string): never {
  console.error(`${message}\n\nusage: pnpm import [--dry-run] [--units CODE,CODE] [--json] FILE...\n  a FILE's kind comes from its name or is given as KIND=FILE; kinds: ${FILE_KINDS.join(', ')}`);
  process.exit(2);
}

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const json = args.includes('--json');
const unitsAt = args.indexOf('--units');
const units = unitsAt >= 0 ? (args[unitsAt + 1] ?? usage('--units needs unit codes')).split(',').map((u) => u.trim()).filter(Boolean) : null;
const files: { kind: FileKind; path: string }[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--dry-run' || a === '--json') continue;
  if (a === '--units') { i++; continue; }
  if (a.startsWith('--')) usage(`unknown option ${a}`);
  const eq = a.indexOf('=');
  const [kind, path] = eq > 0 && isFileKind(a.slice(0, eq)) ? [a.slice(0, eq) as FileKind, a.slice(eq + 1)] : [kindFromName(a), a];
  if (!kind) usage(`cannot tell what ${a} holds from its name: name it after its kind or write KIND=${a}`);
  if (!existsSync(path)) usage(`no file ${path}`);
  files.push({ kind, path });
}
if (!files.length) usage('no files given');

const started = Date.now();
const progress = (message: string) => { if (!json) console.error(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`); };
const connection = await connectFromEnv({ max: 2 });
progress(`database: ${connection.describe}`);
let exitCode = 0;
try {
  // migrations and the reference data, so a new database works too
  const services = createServices(connection);
  await prepareServices(services, false);
  // the operator of the command line has the database itself: the whole country unless --units narrows it
  const session = new ImportSession(importDbs(services), { sub: 'cli', role: 'ADMIN', units }, progress);
  for (const f of files) await session.addFile(f.kind, createReadStream(f.path), f.path);
  const report = await session.finish({ dryRun });
  if (json) console.log(JSON.stringify(report, null, 2));
  else {
    for (const i of report.issues) console.log(`${i.file}:${i.line}: ${i.column ? `${i.column} ` : ''}"${i.value}": ${i.reason}`);
    for (const [kind, c] of Object.entries(report.counts)) console.log(`${kind.padEnd(16)} ${String(c!.added).padStart(8)} added ${String(c!.changed).padStart(8)} changed ${String(c!.unchanged).padStart(8)} unchanged`);
    console.log(report.message);
    progress(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  exitCode = report.status === 'rejected' ? 1 : 0;
} catch (error) {
  if (error instanceof ImportConflict) {
    console.error(`import failed (CONFLICT): ${error.message}`);
    exitCode = 3;
  } else {
    console.error(`import failed: ${rootCause(error)}`);
    exitCode = 2;
  }
} finally {
  await connection.close();
}
// let stdout drain (a pipe is written asynchronously), then exit with the status
process.exitCode = exitCode;
process.stdout.write('', () => process.exit(exitCode));
