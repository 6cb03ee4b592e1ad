import { describe, expect, it } from 'vitest';
import { redactMessage, rootCause, safeError } from './log.js';

describe('safeError', () => {
  // what postgres.js throws for a failed insert, wrapped as drizzle wraps it
  const pg = Object.assign(new Error('duplicate key value violates unique constraint "members_national_id_key"'), {
    name: 'PostgresError', code: '23505', severity: 'ERROR', schema_name: 'households', table_name: 'members', constraint_name: 'members_national_id_key',
    detail: 'Key (national_id)=(079190012345) already exists.', query: 'insert into "households"."members" values ($1, $2)',
    parameters: ['Đoàn Thị Bích Ngọc', '079190012345'], where: 'SQL statement', routine: '_bt_check_unique',
  });
  const drizzle = Object.assign(new Error(`Failed query: insert into "households"."members" ("full_name", "national_id") values ($1, $2)\nparams: Đoàn Thị Bích Ngọc,079190012345`), {
    query: 'insert …', params: ['Đoàn Thị Bích Ngọc', '079190012345'], cause: pg,
  });

  it('keeps the codes and names of what failed, and none of the values', () => {
    const safe = safeError(drizzle);
    const text = JSON.stringify(safe);
    expect(text).not.toContain('Đoàn');
    expect(text).not.toContain('079190012345');
    expect(text).not.toMatch(/parameters|params:|detail/);
    expect(safe.message).toBe('Failed query: insert into "…"."…" ("…", "…") values ($1, $2)');
    expect(safe.cause).toMatchObject({ code: '23505', schema: 'households', table: 'members', constraint: 'members_national_id_key', routine: '_bt_check_unique' });
    expect(safe.cause!.message).toBe('duplicate key value violates unique constraint "…"');
    expect(safe.stack).toMatch(/^\s+at /);
  });

  it('names the deepest cause', () => {
    expect(rootCause(drizzle)).toBe('duplicate key value violates unique constraint "…"');
    expect(rootCause(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('takes quoted text, key values and long numbers out of a message', () => {
    expect(redactMessage('invalid input syntax for type date: "1982-13-01"')).toBe('invalid input syntax for type date: "…"');
    expect(redactMessage("value 'Nguyễn Văn An' too long")).toBe("value '…' too long");
    expect(redactMessage('card HN2310000091001 and CCCD 031080000001 seen')).toBe('card #… and CCCD #… seen');
    expect(redactMessage('Key (code)=(HP-1) exists')).toBe('Key (code)=(…) exists');
    expect(redactMessage('no answer within 5000 ms')).toBe('no answer within 5000 ms');
  });
});
