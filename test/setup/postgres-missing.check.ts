/**
 * The `postgres` project when CI runs without TEST_DATABASE_URL (vitest.config.ts): every system test must also run
 * on PostgreSQL there, so a server that did not answer fails the run instead of leaving the project out.
 */
import { it } from 'vitest';

it('runs the system tests on PostgreSQL', () => {
  throw new Error('TEST_DATABASE_URL is not set, and CI runs every test on PostgreSQL too: start the server (.ci/run sets the URL when 127.0.0.1:5432 answers)');
});
