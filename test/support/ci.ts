/**
 * Whether this run is CI's (CI=true or CI=1, as CI sets it): there every test must run, so a test whose dependency
 * (PostgreSQL, the PostgreSQL server binaries, Chromium) is missing fails instead of skipping. Plain, so that
 * vitest.config.ts can read it too.
 */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}
