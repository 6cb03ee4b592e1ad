/**
 * Tests that need something the machine may lack. On a laptop they are skipped, and the run says which and why; in
 * CI (test/support/ci.ts) the block becomes one failing test naming what is missing, so a green CI never hides a
 * test that did not run.
 */
import { describe, it } from 'vitest';
import { isCi } from './ci.js';

export interface Need {
  /** what is needed, e.g. "the PostgreSQL server binaries (initdb, pg_ctl)" */
  what: string;
  available: boolean;
  /** how to get it */
  hint: string;
}

export function describeNeeding(need: Need, name: string, fn: () => void): void {
  if (need.available) {
    describe(name, fn);
  } else if (isCi()) {
    describe(name, () => {
      it(`needs ${need.what}`, () => {
        throw new Error(`${need.what} is missing, and CI runs every test (${need.hint})`);
      });
    });
  } else {
    console.warn(`skipped "${name}": ${need.what} is missing (${need.hint}); in CI this fails`);
    describe.skip(name, fn);
  }
}
