/**
 * Bulk import through the authenticated HTTP endpoint (POST /import): a file set with bad rows of every kind gets a
 * full report and writes nothing; good files are applied and visible through GraphQL; the same files again change
 * nothing and say so; a dry run writes nothing; the caller must be authenticated, allowed, and inside its area.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoData } from '@ansinh/demo-data';
import { testSystem, type TestSystem } from './harness.js';
import { INTEGRATOR_HP, token, upload } from './support/import.js';

let t: TestSystem;
beforeAll(async () => {
  t = await testSystem();
});
afterAll(async () => { await t?.close(); });

const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
const example = (kind: string) => readFileSync(fileURLToPath(new URL(`../docs/import-examples/${kind}.csv`, import.meta.url)), 'utf8');
const KINDS = ['households', 'members', 'assessments', 'unit_totals', 'loans', 'insurance_cards', 'housing_supports'];

const PICTURE = `query ($code: String!) { householdByCode(code: $code) {
  code address unit { code name } areaType
  members { fullName dateOfBirth relationToHead insuranceCards { cardNumber validTo } }
  currentStatus { status standard { code } }
  loans { programme principal outstanding }
  housingSupports { kind status fundingLines { source amount } }
} }`;

/** What a Hải Phòng integrator sends, with one or more mistakes on most lines; every mistake is expected back. */
const BAD = {
  households: csv(
    'household_code,address,unit_code,area_type,registered_on',
    'HP-11410-91001,"Số 1, Phường Đông Hải 1",11410,URBAN,2024-03-01',
    'HP-11410-91002,Số 2,11410,SUBURBAN,2024-02-30',
    'HP-11410-91001,Số 3,11410,URBAN,2024-03-01',
    'HP-11410-91003,Số 4,99999,URBAN,2024-03-01',
    'HN-00004-91004,Số 5,00004,URBAN,2024-03-01',
  ),
  members: csv(
    'household_code,position,full_name,date_of_birth,gender,relation_to_head,national_id,ethnicity',
    'HP-11410-91001,1,Nguyễn Văn An,1980-01-01,MALE,HEAD,031080000001,Kinh',
    'HP-11410-91001,1,Trần Thị Bình,1982-01-01,FEMALE,SPOUSE,,Kinh',
    'HP-11410-91001,2,Trần Thị Bình,1982-13-01,WOMAN,SPOUSE,12345,Kinh',
    'HP-NOPE-00000,1,Lê Văn Cường,1990-01-01,MALE,HEAD,,Kinh',
    'HP-11410-91001,3,Nguyễn Văn Dũng,2050-01-01,MALE,CHILD,,Kinh',
  ),
  assessments: csv(
    'household_code,review_year,kind,assessed_on,standard_code,income_per_capita,income_period,deprived_indicators,status,recorded_by',
    'HP-11410-91001,2024,PERIODIC,2024-10-01,VN-2022-2025,2500000,MONTH,HEALTH_INSURANCE;HOUSING_QUALITY;HYGIENIC_LATRINE,POOR,UBND',
    'HP-11410-91001,2024,PERIODIC,2024-10-02,VN-2099,1000000,MONTH,,POOR,UBND',
    'HP-11410-91001,2024,PERIODIC,2024-07-01,VN-2022-2025,1000000,YEAR,,NEAR_POOR,UBND',
    'HP-11410-91001,2024,PERIODIC,2024-10-03,VN-2022-2025,1.5e6,MONTH,,POOR,UBND',
    'HP-11410-91001,2024,PERIODIC,2024-10-04,VN-2022-2025,1500000,MONTH,FLYING,POOR,UBND',
  ),
  unit_totals: csv(
    'unit_code,year,households,persons',
    '11410,2024,100,90',
    '00004,2024,10,20',
  ),
  loans: csv(
    'loan_code,household_code,borrower_position,programme,lender,principal,outstanding,disbursed_on,maturity_on,status',
    'L-1,HP-11410-91001,5,POOR_HOUSEHOLD,VBSP,100,200,2024-11-01,2024-10-01,ACTIVE',
    'L-2,HP-NOPE-00000,1,POOR_HOUSEHOLD,VBSP,100,0,2024-11-01,,REPAID',
  ),
  insurance_cards: csv(
    'card_number,household_code,member_position,beneficiary_group,valid_from,valid_to,premium',
    'XX123,HP-11410-91001,1,POOR_HOUSEHOLD,2025-01-01,2025-12-31,1134000',
    'HN2310000091001,HP-11410-91001,1,POOR_HOUSEHOLD,2025-12-31,2025-01-01,1134000',
  ),
  housing_supports: csv(
    'support_code,household_code,kind,programme,beneficiary_status,status,proposed_on,completed_on,funding',
    'HT-1,HP-11410-91001,REPAIR,NATIONAL_TARGET_PROGRAMME,POOR,COMPLETED,2024-11-01,,GOLD:100',
    'HT-2,HP-11410-91001,REPAIR',
  ),
};

// file, line, column, value, reason: the report a person expects, side by side with the rows above
const EXPECTED: [string, number, string, string, string | RegExp][] = [
  ['assessments.csv', 2, 'status', 'POOR', 'the classification gives AVERAGE_LIVING_STANDARD: VN-2022-2025 (urban): income 2,500,000 đồng/tháng, at or below the average line 3,000,000; 3 deprived indicator(s) against a cut-off of 3 → AVERAGE_LIVING_STANDARD'],
  ['assessments.csv', 3, 'standard_code', 'VN-2099', /^no poverty standard VN-2099 \(known: /],
  ['assessments.csv', 4, 'assessed_on', '2024-07-01', 'a PERIODIC review takes place between 1 September and 14 December'],
  ['assessments.csv', 4, 'income_period', 'YEAR', 'VN-2022-2025 counts income per MONTH'],
  ['assessments.csv', 5, 'income_per_capita', '1.5e6', 'not an amount in whole VND (digits only, no separators or decimals)'],
  ['assessments.csv', 6, 'deprived_indicators', 'FLYING', /^FLYING: not an indicator of VN-2022-2025 \(its indicators: EMPLOYMENT, /],
  ['households.csv', 3, 'area_type', 'SUBURBAN', 'must be one of URBAN, RURAL'],
  ['households.csv', 3, 'registered_on', '2024-02-30', 'not a calendar date'],
  ['households.csv', 4, 'household_code', 'HP-11410-91001', 'duplicate of line 2 (same household_code)'],
  ['households.csv', 5, 'unit_code', '99999', 'no administrative unit with code 99999 was valid on 2024-03-01 (registered_on)'],
  ['households.csv', 6, 'unit_code', '00004', 'Phường Trúc Bạch (00004) is outside your area (31)'],
  ['housing_supports.csv', 2, 'funding', 'GOLD:100', /^"GOLD" is not a funding source/],
  ['housing_supports.csv', 3, '', 'HT-2,HP-11410-91001,REPAIR', 'has 3 cells, the header has 9'],
  ['insurance_cards.csv', 2, 'card_number', 'XX123', 'not a BHYT card number (2 capital letters and 13 digits)'],
  ['insurance_cards.csv', 3, 'valid_to', '2025-01-01', 'not after valid_from (2025-12-31)'],
  ['loans.csv', 2, 'borrower_position', '5', 'household HP-11410-91001 has no member at position 5'],
  ['loans.csv', 2, 'maturity_on', '2024-10-01', 'not after disbursed_on (2024-11-01)'],
  ['loans.csv', 2, 'outstanding', '200', 'more than the principal (100)'],
  ['loans.csv', 3, 'household_code', 'HP-NOPE-00000', 'no household HP-NOPE-00000 in your area, stored or in the households file'],
  ['members.csv', 3, 'position', '1', 'duplicate of line 2 (same position)'],
  ['members.csv', 4, 'date_of_birth', '1982-13-01', 'not a calendar date'],
  ['members.csv', 4, 'gender', 'WOMAN', 'must be one of MALE, FEMALE'],
  ['members.csv', 4, 'national_id', '12345', 'not a citizen identity number (CCCD: 12 digits)'],
  ['members.csv', 5, 'household_code', 'HP-NOPE-00000', 'no household HP-NOPE-00000 in your area, stored or in the households file'],
  ['members.csv', 6, 'date_of_birth', '2050-01-01', 'is in the future'],
  ['unit_totals.csv', 2, 'persons', '90', 'fewer persons than households (100)'],
  ['unit_totals.csv', 3, 'unit_code', '00004', 'Phường Trúc Bạch (00004) is outside your area (31)'],
];

describe('a file set with bad rows of every kind', () => {
  it('gets every bad value back with file, line, column, value and reason, and writes nothing', async () => {
    const before = await t.query('{ a: householdByCode(code: "HP-11410-91001") { code } }');
    const { status, body } = await upload(t.url, BAD, { token: token(INTEGRATOR_HP) });
    expect(status).toBe(422);
    expect(body.status).toBe('rejected');
    expect(body.message).toBe(`${EXPECTED.length} bad values: nothing was written. Fix them and import the files again.`);
    expect(body.issues).toEqual(EXPECTED.map(([file, line, column, value, reason]) => ({
      file, line, column, value, reason: typeof reason === 'string' ? reason : expect.stringMatching(reason),
    })));
    // the good rows of the set (household line 2, member line 2) were not written either
    expect(before.data.a).toBeNull();
    expect((await t.query('{ a: householdByCode(code: "HP-11410-91001") { code } }')).data.a).toBeNull();
  });

  it('reports a wrong header once instead of every row', async () => {
    const { status, body } = await upload(t.url, { unit_totals: csv('unit,year,households,persons', '11410,2024,1,2', '11419,2024,1,2') }, { token: token(INTEGRATOR_HP) });
    expect(status).toBe(422);
    expect(body.issues).toEqual([
      { file: 'unit_totals.csv', line: 1, column: 'unit', value: 'unit', reason: 'unknown column (expected unit_code, year, households, persons)' },
      { file: 'unit_totals.csv', line: 1, column: 'unit_code', value: '', reason: 'column missing from the header' },
    ]);
  });
});

describe('the example files', () => {
  const files = Object.fromEntries(KINDS.map((k) => [k, example(k)]));

  it('validate in a dry run without writing anything', async () => {
    const { status, body } = await upload(t.url, files, { token: token(INTEGRATOR_HP), dryRun: true });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'validated', dryRun: true, issues: [], noChange: false });
    expect(body.counts.households).toEqual({ added: 3, changed: 0, unchanged: 0 });
    expect((await t.query(PICTURE, { code: 'HP-11410-90001' })).data.householdByCode).toBeNull();
  });

  it('are applied, and the household is seen whole through the gateway', async () => {
    const { status, body } = await upload(t.url, files, { token: token(INTEGRATOR_HP) });
    expect(status).toBe(200);
    expect(body.status).toBe('applied');
    expect(body.counts).toEqual({
      households: { added: 3, changed: 0, unchanged: 0 },
      members: { added: 6, changed: 0, unchanged: 0 },
      assessments: { added: 3, changed: 0, unchanged: 0 },
      unit_totals: { added: 2, changed: 0, unchanged: 0 },
      loans: { added: 2, changed: 0, unchanged: 0 },
      insurance_cards: { added: 4, changed: 0, unchanged: 0 },
      housing_supports: { added: 2, changed: 0, unchanged: 0 },
    });
    const res = await t.query(PICTURE, { code: 'HP-11410-90001' });
    expect(res.errors).toBeUndefined();
    expect(res.data.householdByCode).toEqual({
      code: 'HP-11410-90001', address: 'Số 12 ngõ 45, Phường Đông Hải 1', unit: { code: '11410', name: 'Phường Đông Hải 1' }, areaType: 'URBAN',
      members: [
        { fullName: 'Nguyễn Văn Hùng', dateOfBirth: '1975-06-02', relationToHead: 'HEAD', insuranceCards: [{ cardNumber: 'HN2310000090001', validTo: '2025-12-31' }] },
        { fullName: 'Trần Thị Lan', dateOfBirth: '1978-11-20', relationToHead: 'SPOUSE', insuranceCards: [{ cardNumber: 'HN2310000090002', validTo: '2025-12-31' }] },
        { fullName: 'Nguyễn Minh Anh', dateOfBirth: '2008-01-09', relationToHead: 'CHILD', insuranceCards: [{ cardNumber: 'HN2310000090003', validTo: '2025-12-31' }] },
      ],
      currentStatus: { status: 'POOR', standard: { code: 'VN-2022-2025' } },
      loans: [{ programme: 'POOR_HOUSEHOLD', principal: 100000000, outstanding: 100000000 }],
      housingSupports: [{ kind: 'REPAIR', status: 'HANDED_OVER', fundingLines: expect.arrayContaining([
        { source: 'CENTRAL_BUDGET', amount: 30000000 }, { source: 'DONATION', amount: 10000000 }, { source: 'HOUSEHOLD', amount: 5000000 },
      ]) }],
    });
  });

  it('imported again change nothing, and the report says so', async () => {
    const before = await t.query(PICTURE, { code: 'HP-11410-90001' });
    const services = Object.values(t.system.services);
    for (const s of services) { s.counter.keep = true; s.counter.reset(); }
    await (async () => {
      const { status, body } = await upload(t.url, files, { token: token(INTEGRATOR_HP) });
      expect(status).toBe(200);
      expect(body.noChange).toBe(true);
      expect(body.message).toMatch(/^Nothing to change: every row is already stored as it is/);
      for (const kind of KINDS) expect(body.counts[kind]).toMatchObject({ added: 0, changed: 0 });
      expect(body.counts.members).toEqual({ added: 0, changed: 0, unchanged: 6 });
    })();
    const statements = services.flatMap((s) => s.counter.statements);
    for (const s of services) s.counter.keep = false;
    // it read what is stored, and wrote nothing (but the import's own temporary key ledger, dropped with its transaction)
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((q) => /^\s*(insert|update|delete)\b/i.test(q) && !/\bpg_temp\./.test(q))).toEqual([]);
    expect((await t.query(PICTURE, { code: 'HP-11410-90001' })).data).toEqual(before.data);
  });

  it('with one value changed, change that one row', async () => {
    const changed = files.loans!.replace('80000000,60000000', '80000000,50000000');
    const { body } = await upload(t.url, { ...files, loans: changed }, { token: token(INTEGRATOR_HP) });
    expect(body.counts.loans).toEqual({ added: 0, changed: 1, unchanged: 1 });
    const res = await t.query(PICTURE, { code: 'HP-11410-90002' });
    expect(res.data.householdByCode.loans).toEqual([{ programme: 'NEAR_POOR', principal: 80000000, outstanding: 50000000 }]);
  });
});

describe('a household the system already holds', () => {
  it('is named by member position as in the members file: position 1 is the first member, the head', async () => {
    // positions count from 1 in every file; the demo data counted from 0, so position 1 named the second member
    const d = demoData();
    const household = d.households.find((h) => d.members.some((m) => m.householdId === h.id))!;
    const head = d.members.filter((m) => m.householdId === household.id).sort((a, b) => a.position - b.position)[0]!;
    expect(head).toMatchObject({ position: 1, relationToHead: 'HEAD' });
    const code = `VBSP-POS-${household.code}`;
    const loans = csv('loan_code,household_code,borrower_position,programme,lender,principal,outstanding,disbursed_on,maturity_on,status', `${code},${household.code},1,NEAR_POOR,VBSP,40000000,40000000,2024-05-02,2029-05-02,ACTIVE`);
    const { status, body } = await upload(t.url, { loans }, { token: token({ sub: 'admin', role: 'ADMIN' }) });
    expect(status, JSON.stringify(body)).toBe(200);
    const res = await t.query(`query ($code: String!) { householdByCode(code: $code) { loans { code borrower { fullName } } } }`, { code: household.code });
    expect(res.data.householdByCode.loans.find((l: { code: string }) => l.code === code)).toEqual({ code, borrower: { fullName: head.fullName } });
  });
});

describe('who may import', () => {
  const one = { unit_totals: csv('unit_code,year,households,persons', '11410,2023,4100,15000') };
  it.each([
    ['no token', undefined, 401, 'UNAUTHENTICATED'],
    ['a token signed with another secret', token(INTEGRATOR_HP, 'another-secret-another-secret-another'), 401, 'UNAUTHENTICATED'],
    ['a ward officer', token({ sub: 'officer', role: 'WARD_OFFICER', units: ['11410'] }), 403, 'FORBIDDEN'],
    ['an integrator without units', token({ sub: 'x', role: 'CITY_INTEGRATOR' }), 401, 'UNAUTHENTICATED'],
    ['an analyst', token({ sub: 'x', role: 'ANALYST', units: [] }), 403, 'FORBIDDEN'],
  ])('%s is refused', async (_, tok, status, code) => {
    const res = await upload(t.url, one, { token: tok as string | undefined });
    expect(res.status).toBe(status);
    expect(res.body.errors[0].extensions.code).toBe(code);
    expect((await t.query('{ areaStatistics(unitCode: "11410", year: 2023) { totalHouseholds } }')).data?.areaStatistics?.totalHouseholds).not.toBe(4100);
  });

  it('an integrator of another city gets every row refused as outside its area', async () => {
    const { status, body } = await upload(t.url, one, { token: token({ sub: 'ha-noi', role: 'CITY_INTEGRATOR', units: ['01'] }) });
    expect(status).toBe(422);
    expect(body.issues).toEqual([{ file: 'unit_totals.csv', line: 2, column: 'unit_code', value: '11410', reason: 'Phường Đông Hải 1 (11410) is outside your area (01)' }]);
  });
});

describe('one transaction for the whole import', () => {
  // a fault no validation can foresee, in the last subgraph written: PostgreSQL refuses every new housing support
  const exec = (statement: string) => (t.connection.kind === 'pglite' ? t.connection.pglite.exec(statement) : t.connection.sql.unsafe(statement));
  const files = {
    households: csv('household_code,address,unit_code,area_type,registered_on', 'HP-11410-93001,"Số 1 ngõ 2, Phường Đông Hải 1",11410,URBAN,2024-03-01'),
    members: csv('household_code,position,full_name,date_of_birth,gender,relation_to_head,national_id,ethnicity', 'HP-11410-93001,1,Phạm Văn Tâm,1970-01-01,MALE,HEAD,,Kinh'),
    housing_supports: csv('support_code,household_code,kind,programme,beneficiary_status,status,proposed_on,completed_on,funding', 'HT-HP-2025-9301,HP-11410-93001,REPAIR,NATIONAL_TARGET_PROGRAMME,POOR,PROPOSED,2025-02-01,,CENTRAL_BUDGET:30000000'),
  };
  afterAll(async () => {
    await exec('drop trigger if exists refuse_supports on housing.supports; drop function if exists housing.refuse_supports()');
  });

  it('a failure while writing housing leaves the households subgraph as it was', async () => {
    await exec(`create function housing.refuse_supports() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$;
      create trigger refuse_supports before insert on housing.supports for each row execute function housing.refuse_supports()`);
    const { status, body } = await upload(t.url, files, { token: token(INTEGRATOR_HP) });
    expect(status).toBe(500);
    expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    // the household and its member were written first, in the same transaction: rolled back with the support
    expect((await t.query(PICTURE, { code: 'HP-11410-93001' })).data.householdByCode).toBeNull();
    await exec('drop trigger refuse_supports on housing.supports');
    const again = await upload(t.url, files, { token: token(INTEGRATOR_HP) });
    expect(again.body.counts).toMatchObject({ households: { added: 1 }, members: { added: 1 }, housing_supports: { added: 1 } });
    expect((await t.query(PICTURE, { code: 'HP-11410-93001' })).data.householdByCode.housingSupports).toEqual([
      { kind: 'REPAIR', status: 'PROPOSED', fundingLines: [{ source: 'CENTRAL_BUDGET', amount: 30000000 }] },
    ]);
  });
});

describe('work that does not grow with the rows', () => {
  // the benchmark's generator: households over Hải Phòng's wards with members, assessments, loans, cards, supports
  const generated = async (n: number, prefix: string) => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { generateImport } = await import('./bench/generate.js');
    const dir = mkdtempSync(join(tmpdir(), 'ansinh-rows-'));
    try {
      const g = await generateImport(dir, n, 7, prefix);
      const kinds = ['households', 'members', 'assessments', 'loans', 'insurance_cards', 'housing_supports'] as const;
      return { files: Object.fromEntries(kinds.map((k) => [k, readFileSync(g[k], 'utf8')])), counts: g.counts };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const statementsOf = async (files: Record<string, string>) => {
    const services = Object.values(t.system.services);
    for (const s of services) s.counter.reset();
    const { status, body } = await upload(t.url, files, { token: token(INTEGRATOR_HP) });
    expect(status, JSON.stringify(body.issues?.slice(0, 3))).toBe(200);
    return { statements: services.reduce((n, s) => n + s.counter.count, 0), counts: body.counts };
  };

  it('imports 200 and 600 households with their programme rows in the same number of SQL statements', async () => {
    const small = await generated(200, 'ROWS-A');
    const large = await generated(600, 'ROWS-B');
    for (const g of [small, large]) expect(Math.min(...Object.values(g.counts))).toBeGreaterThan(0);
    const a = await statementsOf(small.files);
    const b = await statementsOf(large.files);
    expect(a.counts.members.added).toBe(small.counts.members);
    expect(b.counts.insurance_cards.added).toBe(large.counts.insurance_cards);
    // batched per chunk of 20,000 rows: no statement per row, no look-up per household
    expect(b.statements).toBe(a.statements);
  });
});
