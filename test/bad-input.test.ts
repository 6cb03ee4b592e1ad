/** Bad arguments get BAD_USER_INPUT with a message that says what was wrong; unknown ids are null, not errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await sharedSystem(); });
afterAll(async () => { await t?.close(); });

describe('unknown records', () => {
  it.each([
    ['household(id:) with an unknown uuid', `{ household(id: "00000000-0000-4000-8000-000000000000") { code } }`, 'household'],
    ['household(id:) with an id that is not a uuid', `{ household(id: "not-an-id") { code } }`, 'household'],
    ['householdByCode with an unknown code', `{ householdByCode(code: "00000-99999") { code loans { code } } }`, 'householdByCode'],
  ])('%s is null without errors', async (_, query, field) => {
    const res = await t.query(query);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ [field]: null });
  });
});

describe('bad arguments', () => {
  it.each([
    ['first: 0', `{ households(unitCode: "775", first: 0) { totalCount } }`, '"first" must be between 1 and 100, got 0'],
    ['first: 1000000', `{ households(unitCode: "775", first: 1000000) { totalCount } }`, '"first" must be between 1 and 100, got 1000000'],
    ['a made-up cursor', `{ households(unitCode: "775", after: "garbage") { totalCount } }`, '"after" is not a cursor this API returned: "garbage"'],
    ['an unknown unit', `{ households(unitCode: "12345") { totalCount } }`, 'No administrative unit has the code "12345"'],
    ['a unit not in force that year', `{ areaStatistics(unitCode: "27355", year: 2030) { poorHouseholds } }`, 'No administrative unit with the code "27355" was in force in 2030'],
    ['an impossible year', `{ areaStatistics(unitCode: "775", year: 1850) { poorHouseholds } }`, '"year" must be a review year such as 2022, got 1850'],
  ])('%s', async (_, query, message) => {
    const res = await t.query(query);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    if (message) expect(res.errors?.[0]?.message).toBe(message);
  });

  it('a date that is not a calendar date', async () => {
    const res = await t.query(`query ($on: Date) { unit(code: "775", on: $on) { name } }`, { on: '2022-02-30' });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain('"2022-02-30" is not a calendar date');
  });

  it('an unknown status value is rejected before anything runs', async () => {
    const res = await t.query(`{ households(unitCode: "775", status: RICH) { totalCount } }`);
    // a GraphQL request error in a 200 for an application/json client (GraphQL over HTTP; clients-schema.test.ts)
    expect(res.status).toBe(200);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
