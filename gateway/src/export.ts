/**
 * CSV exports of the area reports for analysts (xuất báo cáo): `GET /export/<report>.csv?unitCode=…&…` with the
 * caller's `Authorization` header. Each export runs the report's GraphQL operation through this gateway with the
 * caller's own token, so authentication, what a role may read (area reports: every role, any unit), the operation
 * limits and small-cell suppression are exactly the API's. First the unit itself (a refusal ends there, with the
 * API's error and code, before anything is written), then one row per child unit, each fetched and written as it
 * comes, so a province's file streams ward by ward. UTF-8 with a BOM (Excel opens Vietnamese correctly), CRLF lines,
 * Vietnamese column headers; csv-stringify does the quoting (RFC 4180).
 *
 * Every row says whether it is complete: for the households report whether every unit below has its totals
 * (`totalsComplete`, `unitsWithoutTotals`), for every report which figures were withheld and which part of the
 * API did not answer (a subgraph down gives a row marked incomplete, not a silent gap).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify } from 'csv-stringify';
import { HttpError, sendError, type Route } from '@ansinh/server';
import { EXPORT_OPERATIONS_DIR } from './trusted.js';

/**
 * The export's operations, in gateway/operations/export/: registered trusted documents (gateway/src/trusted.ts), so
 * the exports run where only registered operations are allowed (production). Sent as their exact text, which the
 * registry knows by its hash and any gateway runs.
 */
const operation = (name: string) => readFileSync(`${EXPORT_OPERATIONS_DIR}${name}.graphql`, 'utf8');

interface Param { name: string; type: 'String' | 'Int' | 'Date'; required: boolean }

/** One column: its header as the report prints it and how the value is read from the report's answer. */
interface Column { header: string; value: (report: any) => unknown }

interface Report {
  /** the report's GraphQL operation (a registered document): `$unitCode` and the params; its root field answers one unit */
  query: string;
  root: string;
  params: Param[];
  /** the date on which the unit's children are listed */
  on: (args: Record<string, string | number>) => string;
  columns: Column[];
  /** the report's own word on completeness (null: complete as far as the report knows) */
  missing?: (report: any) => string[];
}

const yes = (b: unknown) => (b === true ? 'Có' : b === false ? 'Không' : '');
const sum = (xs: { amount: number }[] | null | undefined) => (xs ? xs.reduce((s, x) => s + x.amount, 0) : null);
const of = (xs: { kind: string; houses?: number | null; households?: number | null }[] | null | undefined, kind: string) => xs?.find((x) => x.kind === kind);

export const REPORTS: Record<string, Report> = {
  households: {
    root: 'areaStatistics',
    params: [{ name: 'year', type: 'Int', required: true }, { name: 'standard', type: 'String', required: false }],
    on: (a) => `${a.year}-12-31`,
    query: operation('ExportHouseholds'),
    columns: [
      { header: 'Năm', value: (r) => r.year },
      { header: 'Tổng số hộ', value: (r) => r.totalHouseholds },
      { header: 'Tổng số nhân khẩu', value: (r) => r.totalPersons },
      { header: 'Số hộ nghèo', value: (r) => r.poorHouseholds },
      { header: 'Số nhân khẩu hộ nghèo', value: (r) => r.poorPersons },
      { header: 'Tỷ lệ hộ nghèo (%)', value: (r) => r.poorRate },
      { header: 'Số hộ cận nghèo', value: (r) => r.nearPoorHouseholds },
      { header: 'Số nhân khẩu hộ cận nghèo', value: (r) => r.nearPoorPersons },
      { header: 'Tỷ lệ hộ cận nghèo (%)', value: (r) => r.nearPoorRate },
      { header: 'Số hộ nghèo giảm', value: (r) => r.poorReduction },
      { header: 'Số hộ cận nghèo giảm', value: (r) => r.nearPoorReduction },
    ],
    missing: (r) => (r.totalsComplete ? [] : r.unitsWithoutTotals.map((u: { code: string; name: string }) => `chưa có số liệu tổng số hộ: ${u.code} ${u.name}`)),
  },
  credit: {
    root: 'creditStatistics',
    params: [{ name: 'on', type: 'Date', required: true }, { name: 'since', type: 'Date', required: false }],
    on: (a) => String(a.on),
    query: operation('ExportCredit'),
    columns: [
      { header: 'Ngày', value: (r) => r.on },
      { header: 'Số hộ còn dư nợ', value: (r) => r.povertyReduction.borrowers },
      { header: 'Số khoản vay còn dư nợ', value: (r) => r.povertyReduction.loans },
      { header: 'Dư nợ (đồng)', value: (r) => r.povertyReduction.outstanding },
      { header: 'Nợ quá hạn (đồng)', value: (r) => r.povertyReduction.overdue },
      { header: 'Tỷ lệ nợ quá hạn (%)', value: (r) => r.povertyReduction.overdueRatio },
      { header: 'Dư nợ bình quân một hộ (đồng)', value: (r) => r.povertyReduction.averagePerBorrower },
      { header: 'Số hộ được vay trong kỳ', value: (r) => r.povertyReduction.disbursedHouseholds },
      { header: 'Doanh số cho vay (đồng)', value: (r) => r.povertyReduction.disbursedAmount },
    ],
  },
  health: {
    root: 'healthStatistics',
    params: [{ name: 'on', type: 'Date', required: true }],
    on: (a) => String(a.on),
    query: operation('ExportHealth'),
    columns: [
      { header: 'Ngày', value: (r) => r.on },
      { header: 'Số thẻ BHYT còn hạn', value: (r) => r.total.cards },
      { header: 'Số người có thẻ', value: (r) => r.total.holders },
      { header: 'Mệnh giá thẻ (đồng)', value: (r) => r.total.premium },
      { header: 'Kinh phí hỗ trợ (đồng)', value: (r) => r.total.cost },
      { header: 'Số người thuộc hộ nghèo, cận nghèo, mới thoát nghèo', value: (r) => nullableSum(r.coverage.map((c: any) => c.persons)) },
      { header: 'Số người có thẻ BHYT', value: (r) => nullableSum(r.coverage.map((c: any) => c.covered)) },
    ],
  },
  housing: {
    root: 'housingStatistics',
    params: [{ name: 'from', type: 'Date', required: true }, { name: 'to', type: 'Date', required: true }],
    on: (a) => String(a.to),
    query: operation('ExportHousing'),
    columns: [
      { header: 'Từ ngày', value: (r) => r.from },
      { header: 'Đến ngày', value: (r) => r.to },
      { header: 'Số nhà hoàn thành', value: (r) => r.houses },
      { header: 'Xây mới', value: (r) => of(r.byKind, 'NEW_BUILD')?.houses ?? (r.byKind ? 0 : null) },
      { header: 'Sửa chữa', value: (r) => of(r.byKind, 'REPAIR')?.houses ?? (r.byKind ? 0 : null) },
      { header: 'Tổng kinh phí (đồng)', value: (r) => sum(r.funding) },
    ],
  },
  gaps: {
    root: 'gapStatistics',
    params: [{ name: 'on', type: 'Date', required: true }],
    on: (a) => String(a.on),
    query: operation('ExportGaps'),
    columns: [
      { header: 'Ngày', value: (r) => r.on },
      { header: 'Số hộ nghèo, cận nghèo', value: (r) => r.households },
      { header: 'Số hộ còn thiếu hỗ trợ', value: (r) => r.householdsWithGaps },
      { header: 'Thiếu thẻ BHYT', value: (r) => of(r.byKind, 'HEALTH_INSURANCE')?.households },
      { header: 'Thiếu hỗ trợ nhà ở', value: (r) => of(r.byKind, 'HOUSING')?.households },
      { header: 'Thiếu vốn nước sạch, vệ sinh', value: (r) => of(r.byKind, 'CLEAN_WATER_SANITATION')?.households },
      { header: 'Thiếu vốn tạo việc làm', value: (r) => of(r.byKind, 'EMPLOYMENT')?.households },
    ],
  },
};

function nullableSum(xs: (number | null)[]): number | null {
  return xs.some((x) => x === null) ? null : xs.reduce<number>((s, x) => s + (x ?? 0), 0);
}

/** The columns every export starts and ends with. */
export const UNIT_HEADERS = ['Mã đơn vị', 'Tên đơn vị', 'Cấp'];
export const COMPLETE_HEADER = 'Đủ số liệu';
export const NOTES_HEADER = 'Ghi chú';

interface GraphQLAnswer { data?: Record<string, any> | null; errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[] }

/** HTTP status of a refusal, from the API's own error code. */
const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400, GRAPHQL_VALIDATION_FAILED: 400 };

/** This gateway, at the address the request came in on. */
function selfUrl(req: IncomingMessage): string {
  const address = (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  return `http://${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort}/`;
}

async function ask(url: string, req: IncomingMessage, query: string, variables: Record<string, unknown>): Promise<GraphQLAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (req.headers.authorization) headers.authorization = req.headers.authorization;
  const id = req.headers['x-request-id'];
  if (typeof id === 'string') headers['x-request-id'] = id;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await res.json().catch(() => null) as GraphQLAnswer | null;
  if (!body) throw new HttpError(502, 'BAD_GATEWAY', `The report answered HTTP ${res.status} without a GraphQL body`);
  if (res.status !== 200 && !body.data) {
    const e = body.errors?.[0];
    throw new HttpError(res.status, e?.extensions?.code ?? 'BAD_REQUEST', e?.message ?? `HTTP ${res.status}`);
  }
  return body;
}

function args(report: Report, url: URL): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  const unitCode = url.searchParams.get('unitCode');
  if (!unitCode) throw new HttpError(400, 'BAD_USER_INPUT', 'Give the unit: ?unitCode=…', {}, { argument: 'unitCode' });
  out.unitCode = unitCode;
  for (const p of report.params) {
    const raw = url.searchParams.get(p.name);
    if (raw === null || raw === '') {
      if (p.required) throw new HttpError(400, 'BAD_USER_INPUT', `Give "${p.name}" (${p.type === 'Date' ? 'YYYY-MM-DD' : p.type === 'Int' ? 'a whole number' : 'text'})`, {}, { argument: p.name });
      continue;
    }
    if (p.type === 'Int') {
      if (!/^\d{1,9}$/.test(raw)) throw new HttpError(400, 'BAD_USER_INPUT', `"${p.name}" must be a whole number, got "${raw}"`, {}, { argument: p.name });
      out[p.name] = Number(raw);
    } else out[p.name] = raw;
  }
  return out;
}

/** One unit's row: the unit, the figures, whether it is complete and why not. */
function row(report: Report, unit: { code: string; name: string; kind?: string }, answer: GraphQLAnswer): unknown[] {
  const figures = answer.data?.[report.root];
  const notes: string[] = [];
  for (const e of answer.errors ?? []) notes.push(`${e.extensions?.code ?? 'ERROR'}: ${e.message}`);
  if (figures) {
    notes.push(...(report.missing?.(figures) ?? []));
    const withheld = figures.suppressed?.map((s: { field: string }) => s.field) ?? [];
    if (withheld.length) notes.push(`số liệu ẩn (dưới 5 hộ): ${withheld.join(', ')}`);
  }
  const complete = !!figures && !(answer.errors?.length) && (report.missing?.(figures) ?? []).length === 0;
  const values = report.columns.map((c) => (figures ? c.value(figures) ?? '' : ''));
  return [unit.code, unit.name, unit.kind ?? '', ...values, yes(complete), notes.join('; ')];
}

/** The export route of one report. */
export function exportRoute(name: string, report: Report): Route {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const variables = args(report, url);
    const self = selfUrl(req);
    // the unit itself first, through the API: a refusal (no token, out of area, bad input) is the API's, and
    // nothing has been written yet
    const first = await ask(self, req, report.query, variables);
    if (!first.data?.[report.root]) {
      const e = first.errors?.[0];
      const code = e?.extensions?.code ?? 'NOT_FOUND';
      throw new HttpError(STATUS[code] ?? 502, code, e?.message ?? `No ${name} report for unit ${variables.unitCode}`);
    }
    const units = await ask(self, req, operation('ExportUnits'), { code: variables.unitCode, on: report.on(variables) });
    const unit = units.data?.unit ?? { code: String(variables.unitCode), name: '', children: [] };
    const file = `${name}-${variables.unitCode}-${Object.entries(variables).filter(([k]) => k !== 'unitCode').map(([, v]) => v).join('-')}.csv`;
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${file}"`,
      'cache-control': 'private, no-store',
    });
    const csv = stringify({ bom: true, record_delimiter: '\r\n' });
    csv.pipe(res);
    const write = (record: unknown[]) => new Promise<void>((resolve) => { if (csv.write(record)) resolve(); else csv.once('drain', resolve); });
    await write([...UNIT_HEADERS, ...report.columns.map((c) => c.header), COMPLETE_HEADER, NOTES_HEADER]);
    await write(row(report, unit, first));
    // one child at a time: a province's export never holds more than one ward's answer
    for (const child of unit.children ?? []) {
      if (res.destroyed) break;
      let answer: GraphQLAnswer;
      try {
        answer = await ask(self, req, report.query, { ...variables, unitCode: child.code });
      } catch (error) {
        answer = { errors: [{ message: (error as Error).message, extensions: { code: (error as HttpError).code ?? 'ERROR' } }] };
      }
      await write(row(report, child, answer));
    }
    csv.end();
    await new Promise<void>((resolve) => { res.once('finish', resolve); res.once('close', resolve); });
  };
}

/** `/export/<report>.csv` for every report. */
export function exportRoutes(): Record<string, Route> {
  return Object.fromEntries(Object.entries(REPORTS).map(([name, report]) => {
    const route = exportRoute(name, report);
    return [`/export/${name}.csv`, async (req: IncomingMessage, res: ServerResponse) => {
      try {
        await route(req, res);
      } catch (error) {
        if (res.headersSent) { res.destroy(error as Error); return; }
        if (error instanceof HttpError) sendError(res, error);
        else throw error;
      }
    }] as const;
  }));
}
