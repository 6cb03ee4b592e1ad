import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { maskError } from './subgraph.js';
import { writeFailureCause, writeHealth } from './write-health.js';

const pg = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('write failures', () => {
  it.each([
    [pg('53100', 'could not extend file "base/5/16384": No space left on device'), 'the disk is full (53100)'],
    [pg('25006', 'cannot execute INSERT in a read-only transaction'), 'the database is read-only (25006)'],
    [pg('58030', 'could not write block'), 'input/output error (58030)'],
    [new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'EROFS' }) }), 'the file system is read-only (EROFS)'],
    [pg('23505', 'duplicate key value violates unique constraint'), undefined],
    [pg('ECONNREFUSED', 'connect ECONNREFUSED'), undefined],
  ])('%s → %s', (error, cause) => {
    expect(writeFailureCause(error)).toBe(cause);
  });

  it('a resolver whose write hits a full disk: DATABASE_WRITE_FAILED naming the subgraph; /ready state until a write succeeds', () => {
    writeHealth.succeeded();
    const original = pg('53100', 'could not extend file "base/5/16384": No space left on device');
    const error = new GraphQLError('could not extend file', { originalError: original, path: ['recordAssessment'] });
    const masked = maskError(error.toJSON(), error, 'households');
    expect(masked.extensions).toEqual({ code: 'DATABASE_WRITE_FAILED', cause: 'the disk is full (53100)', subgraph: 'households' });
    expect(masked.message).toBe('The households subgraph could not write to its database: the disk is full (53100). Nothing was written; retry when the operators have fixed it.');
    expect(writeHealth.problem()).toMatch(/^writes failing: the disk is full \(53100\) \(since \d{4}-\d\d-\d\dT/);
    writeHealth.succeeded();
    expect(writeHealth.problem()).toBeUndefined();
  });
});
