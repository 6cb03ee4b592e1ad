/** The production build (`pnpm build`: gateway/dist), made from the sources once per test process, for tests that start it. */
import { execFile } from 'node:child_process';
import { ROOT } from './processes.js';

let built: Promise<void> | undefined;

/** Builds gateway/dist (the build replaces each file atomically, so test processes may build at the same time). */
export function productionBuild(): Promise<void> {
  built ??= new Promise((resolve, reject) => {
    execFile('pnpm', ['build'], { cwd: ROOT, timeout: 240_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`pnpm build failed: ${error.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
  return built;
}
