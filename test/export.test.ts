/**
 * CSV exports of the area reports (gateway/src/export.ts): downloaded as a role would, each is UTF-8 with a BOM and
 * the Vietnamese headers, one row for the unit and one per child unit, every figure equal to what the API answers
 * the same caller (so suppression is the API's), each row saying whether it is complete and what is missing; a
 * refusal (no token, a unit that does not exist, a year the role may not read, bad arguments) is the API's own code,
 * before anything is written; a ward officer's district is answered as the API answers it (aggregates are open).
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS } from '@ansinh/gateway';
import { sharedSystem, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await sharedSystem(); });
afterAll(async () => { await t?.close(); });

async function download(path: string, headers: Record<string, string>) {
  const res = await fetch(new URL(path, t.url), { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), bytes };
}

const csvRows = (bytes: Buffer): string[][] => parse(bytes.subarray(3).toString('utf8'), { relaxColumnCount: false });

/** [report, query string, the API's own query of the same report, the unit] */
const CASES: [string, string, (unit: string) => string][] = [
  ['households', 'year=2022', (u) => `{ r: areaStatistics(unitCode: "${u}", year: 2022) { totalHouseholds poorHouseholds poorRate nearPoorHouseholds nearPoorRate totalsComplete } }`],
  ['credit', 'on=2022-12-31', (u) => `{ r: creditStatistics(unitCode: "${u}", on: "2022-12-31") { povertyReduction { borrowers loans outstanding } } }`],
  ['health', 'on=2022-12-31', (u) => `{ r: healthStatistics(unitCode: "${u}", on: "2022-12-31") { total { cards holders cost } } }`],
  ['housing', 'from=2022-01-01&to=2022-12-31', (u) => `{ r: housingStatistics(unitCode: "${u}", from: "2022-01-01", to: "2022-12-31") { houses } }`],
  ['gaps', 'on=2022-12-31', (u) => `{ r: gapStatistics(unitCode: "${u}", on: "2022-12-31") { households householdsWithGaps } }`],
];

/** the CSV's figures of a row, keyed by the API field they print */
const HEADER_OF: Record<string, Record<string, string>> = {
  households: { totalHouseholds: 'Tổng số hộ', poorHouseholds: 'Số hộ nghèo', poorRate: 'Tỷ lệ hộ nghèo (%)', nearPoorHouseholds: 'Số hộ cận nghèo', nearPoorRate: 'Tỷ lệ hộ cận nghèo (%)' },
  credit: { borrowers: 'Số hộ còn dư nợ', loans: 'Số khoản vay còn dư nợ', outstanding: 'Dư nợ (đồng)' },
  health: { cards: 'Số thẻ BHYT còn hạn', holders: 'Số người có thẻ', cost: 'Kinh phí hỗ trợ (đồng)' },
  housing: { houses: 'Số nhà hoàn thành' },
  gaps: { households: 'Số hộ nghèo, cận nghèo', householdsWithGaps: 'Số hộ còn thiếu hỗ trợ' },
};
const flat = (o: Record<string, any>): Record<string, unknown> => Object.assign({}, ...Object.entries(o).map(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? flat(v) : { [k]: v })));
const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));

describe('CSV exports', () => {
  it.each(CASES)('%s: BOM, Vietnamese headers, the unit and each child, figures as the API answers an ANALYST', async (name, params, apiQuery) => {
    const analyst = await t.as('ANALYST');
    const file = await download(`/export/${name}.csv?unitCode=775&${params}`, analyst);
    expect(file.status).toBe(200);
    expect(file.type).toBe('text/csv; charset=utf-8');
    expect(file.disposition).toMatch(new RegExp(`^attachment; filename="${name}-775-`));
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(file.bytes.toString('utf8')).toContain('\r\n');
    const [headers, ...rows] = csvRows(file.bytes);
    expect(headers).toEqual(['Mã đơn vị', 'Tên đơn vị', 'Cấp', ...REPORTS[name]!.columns.map((c) => c.header), 'Đủ số liệu', 'Ghi chú']);
    for (const h of Object.values(HEADER_OF[name]!)) expect(headers).toContain(h);
    // the unit, then its children as the API lists them
    const unit = await t.query(`{ unit(code: "775", on: "2022-12-31") { code name children { code } } }`, undefined, analyst);
    expect(rows.map((r) => r[0])).toEqual(['775', ...unit.data.unit.children.map((c: { code: string }) => c.code)]);
    expect(rows[0]![1]).toBe('Quận 6');
    for (const r of rows.slice(0, 4)) {
      const api = await t.query(apiQuery(r[0]!), undefined, analyst);
      expect(api.errors).toBeUndefined();
      const figures = flat(api.data.r);
      for (const [field, header] of Object.entries(HEADER_OF[name]!)) expect([r[0], header, r[headers!.indexOf(header)]]).toEqual([r[0], header, cell(figures[field])]);
      if (name === 'households') expect(r[headers!.indexOf('Đủ số liệu')]).toBe(figures.totalsComplete ? 'Có' : 'Không');
    }
  });

  it('a province streams district by district and says which units have no totals', async () => {
    const analyst = await t.as('ANALYST');
    const file = await download('/export/households.csv?unitCode=79&year=2022', analyst);
    expect(file.status).toBe(200);
    const [headers, ...rows] = csvRows(file.bytes);
    const api = await t.query(`{ areaStatistics(unitCode: "79", year: 2022) { totalsComplete unitsWithoutTotals { code } } unit(code: "79", on: "2022-12-31") { children { code } } }`, undefined, analyst);
    expect(rows.length).toBe(1 + api.data.unit.children.length);
    const complete = rows[0]![headers!.indexOf('Đủ số liệu')];
    const notes = rows[0]![headers!.indexOf('Ghi chú')]!;
    expect(complete).toBe(api.data.areaStatistics.totalsComplete ? 'Có' : 'Không');
    for (const u of api.data.areaStatistics.unitsWithoutTotals) expect(notes).toContain(u.code);
    // the demo province is partial: the export says so
    expect(complete).toBe('Không');
  });

  it('a ward officer downloads the district around the ward as the API answers them (aggregates are open to every role)', async () => {
    const wards = await t.query(`{ unit(code: "775", on: "2022-12-31") { children { code } } }`);
    const officer = await t.as('WARD_OFFICER', [wards.data.unit.children[0].code]);
    const file = await download('/export/households.csv?unitCode=775&year=2022', officer);
    expect(file.status).toBe(200);
    const [headers, ...rows] = csvRows(file.bytes);
    expect(rows.map((r) => r[0])).toEqual(['775', ...wards.data.unit.children.map((c: { code: string }) => c.code)]);
    // the officer's figures are exact, as the API gives them to this officer (no small-cell suppression)
    for (const r of [rows[0]!, rows.at(-1)!]) {
      const api = await t.query(`{ r: areaStatistics(unitCode: "${r[0]}", year: 2022) { poorHouseholds nearPoorHouseholds suppressed { field } } }`, undefined, officer);
      expect(api.errors).toBeUndefined();
      expect([r[0], r[headers!.indexOf('Số hộ nghèo')], r[headers!.indexOf('Số hộ cận nghèo')]]).toEqual([r[0], cell(api.data.r.poorHouseholds), cell(api.data.r.nearPoorHouseholds)]);
      expect(api.data.r.suppressed).toEqual([]);
    }
  });

  it('refuses like the API, before writing anything: no token, a unit that does not exist, a year an analyst may not read, bad arguments', async () => {
    const anonymous = await download('/export/households.csv?unitCode=775&year=2022', {});
    expect([anonymous.status, JSON.parse(anonymous.bytes.toString('utf8')).errors[0].extensions.code]).toEqual([401, 'UNAUTHENTICATED']);
    const analyst = await t.as('ANALYST');
    const open = new Date().getUTCFullYear();
    for (const [path, query] of [
      ['/export/households.csv?unitCode=99999&year=2022', `{ areaStatistics(unitCode: "99999", year: 2022) { poorHouseholds } }`],
      ['/export/credit.csv?unitCode=99999&on=2022-12-31', `{ creditStatistics(unitCode: "99999", on: "2022-12-31") { on } }`],
      [`/export/households.csv?unitCode=775&year=${open}`, `{ areaStatistics(unitCode: "775", year: ${open}) { poorHouseholds } }`],
    ] as const) {
      const api = await t.query(query, undefined, analyst);
      const code = api.errors?.[0]?.extensions?.code;
      expect([path, code]).toEqual([path, 'BAD_USER_INPUT']);
      const refused = await download(path, analyst);
      expect(refused.type).toMatch(/^application\/json/);
      expect([path, refused.status, JSON.parse(refused.bytes.toString('utf8')).errors[0].extensions.code]).toEqual([path, 400, code]);
    }
    const bad = await download('/export/credit.csv?unitCode=775', analyst);
    expect([bad.status, JSON.parse(bad.bytes.toString('utf8')).errors[0].extensions]).toEqual([400, { code: 'BAD_USER_INPUT', argument: 'on' }]);
  });
});

describe('CSV exports where only registered operations run (trusted documents, as in production)', () => {
  let p: Awaited<ReturnType<TestSystem['gateway']>>;
  // a production-like gateway of its own over the shared system's subgraphs
  beforeAll(async () => { p = await t.gateway({ trustedDocuments: true, introspection: false, explorer: false }); });
  afterAll(async () => { await p?.close(); });

  it.each(CASES)('%s: the same file as without trusted documents', async (name, params) => {
    const analyst = await t.as('ANALYST');
    // the system refuses an unregistered operation: the export's own are registered
    const other = await fetch(p.url, { method: 'POST', headers: { 'content-type': 'application/json', ...analyst }, body: JSON.stringify({ query: '{ unit(code: "775") { name } }' }) });
    expect([other.status, ((await other.json()) as any).errors[0].extensions.code]).toEqual([400, 'TRUSTED_DOCUMENT_REQUIRED']);
    const path = `/export/${name}.csv?unitCode=775&${params}`;
    const res = await fetch(new URL(path, p.url), { headers: analyst });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([res.status, res.headers.get('content-type')], bytes.subarray(0, 300).toString('utf8')).toEqual([200, 'text/csv; charset=utf-8']);
    const rows = csvRows(bytes);
    // every row complete as far as the API goes: no unit's answer refused on the way
    expect(rows.map((r) => r.at(-1)).filter((n) => /TRUSTED_DOCUMENT|PERSISTED_QUERY/.test(n ?? ''))).toEqual([]);
    expect(rows).toEqual(csvRows((await download(path, analyst)).bytes));
  });
});
