/**
 * Deterministic CSV files for the benchmarks and the kill test: N households spread over the wards and communes of
 * Hải Phòng (province 31, the units before the 2025 reform, as the shipped lists hold them), with members, one 2024
 * assessment each (statuses consistent with VN-2022-2025 for the unit's area type) and programme rows for them:
 * VBSP loans, BHYT cards for the members of poor and near-poor households, housing supports. Every file is written
 * as it is generated (bounded memory at any N); the same seed gives the same files.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ'];
const GIVEN = ['An', 'Bình', 'Châu', 'Dũng', 'Giang', 'Hà', 'Hùng', 'Lan', 'Mai', 'Nam', 'Phúc', 'Quỳnh', 'Sơn', 'Thảo', 'Tâm'];
const DEPRIVED = ['HEALTH_INSURANCE', 'HOUSING_QUALITY', 'HYGIENIC_LATRINE', 'DOMESTIC_WATER', 'ADULT_EDUCATION'];
/** the province the households are in, and its district the benchmark's district reports use */
export const PROVINCE = '31';

export interface Ward { code: string; name: string; district: string; areaType: 'URBAN' | 'RURAL' }

/** The wards, communes and townships of province 31 before 2025-07-01 (data/admin-units), in file order. */
export function provinceWards(province = PROVINCE): Ward[] {
  const text = readFileSync(fileURLToPath(new URL('../../data/admin-units/units-before-2025-07-01.csv', import.meta.url)), 'utf8');
  const lines = text.split('\n').slice(1).filter(Boolean).map((l) => l.split(','));
  const districts = new Set(lines.filter((c) => c.at(-1) === province).map((c) => c[0]!));
  return lines.filter((c) => districts.has(c.at(-1)!) && ['ward', 'commune', 'township'].includes(c.at(-2)!))
    .map((c) => ({ code: c[0]!, name: c[1]!, district: c.at(-1)!, areaType: c.at(-2) === 'commune' ? 'RURAL' : 'URBAN' }));
}

/** A small seeded PRNG (mulberry32): the same files on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A CSV file written line by line, in blocks (waits for the disk when its buffer is full). */
class CsvOut {
  private readonly out;
  private buffer: string[] = [];
  lines = 0;
  constructor(readonly path: string, header: string) {
    this.out = createWriteStream(path);
    this.buffer.push(header);
  }
  async line(text: string): Promise<void> {
    this.buffer.push(text);
    this.lines++;
    if (this.buffer.length >= 5_000) await this.flush();
  }
  private async flush(): Promise<void> {
    if (!this.buffer.length) return;
    const ok = this.out.write(`${this.buffer.join('\n')}\n`);
    this.buffer = [];
    if (!ok) await once(this.out, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}

export interface Generated {
  households: string; members: string; assessments: string; loans: string; insurance_cards: string; housing_supports: string;
  /** the files in the order the import takes them */
  files: string[];
  counts: { households: number; members: number; assessments: number; loans: number; insurance_cards: number; housing_supports: number };
}

export interface GenerateOptions {
  /** write loans, insurance cards and housing supports too (default true) */
  programmes?: boolean;
  /** the wards to spread the households over (default: every ward and commune of province 31) */
  wards?: Ward[];
}

export async function generateImport(dir: string, households: number, seed = 2024, prefix = 'BENCH', options: GenerateOptions = {}): Promise<Generated> {
  const rng = random(seed);
  const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  const wards = options.wards ?? provinceWards();
  const programmes = options.programmes ?? true;
  const h = new CsvOut(join(dir, 'households.csv'), 'household_code,address,unit_code,area_type,registered_on');
  const m = new CsvOut(join(dir, 'members.csv'), 'household_code,position,full_name,date_of_birth,gender,relation_to_head,national_id,ethnicity');
  const a = new CsvOut(join(dir, 'assessments.csv'), 'household_code,review_year,kind,assessed_on,standard_code,income_per_capita,income_period,deprived_indicators,status,recorded_by');
  const l = new CsvOut(join(dir, 'loans.csv'), 'loan_code,household_code,borrower_position,programme,lender,principal,outstanding,disbursed_on,maturity_on,status,overdue,overdue_since,written_off,balance_on');
  const c = new CsvOut(join(dir, 'insurance_cards.csv'), 'card_number,household_code,member_position,beneficiary_group,valid_from,valid_to,premium');
  const s = new CsvOut(join(dir, 'housing_supports.csv'), 'support_code,household_code,kind,programme,beneficiary_status,status,proposed_on,approved_on,construction_started_on,completed_on,handed_over_on,funding');
  const day = () => String(int(10, 28));
  for (let i = 1; i <= households; i++) {
    const code = `${prefix}-${String(i).padStart(7, '0')}`;
    const ward = pick(wards);
    await h.line(`${code},"Số ${int(1, 300)} tổ ${int(1, 40)}, ${ward.name}",${ward.code},${ward.areaType},2024-0${int(1, 6)}-${day()}`);
    const family = pick(FAMILY);
    const size = int(1, 6);
    for (let p = 1; p <= size; p++) {
      const year = p === 1 ? int(1950, 1995) : p === 2 ? int(1955, 1998) : int(2000, 2020);
      const gender = rng() < 0.5 ? 'MALE' : 'FEMALE';
      const relation = p === 1 ? 'HEAD' : p === 2 ? 'SPOUSE' : 'CHILD';
      const id = p <= 2 ? `031${gender === 'MALE' ? 0 : 1}${String(year).slice(2)}${String(int(0, 999_999)).padStart(6, '0')}` : '';
      await m.line(`${code},${p},${family} ${pick(GIVEN)} ${pick(GIVEN)},${year}-0${int(1, 9)}-1${int(0, 9)},${gender},${relation},${id},Kinh`);
    }
    // VN-2022-2025: poverty line 2,000,000 (urban) or 1,500,000 (rural) a month, 3 deprivations make a poor household;
    // above 1.5 × the line is above the average-living band too
    const line = ward.areaType === 'URBAN' ? 2000 : 1500;
    const r = rng();
    const [income, deprived, status] = r < 0.4
      ? [int(700, line) * 1000, DEPRIVED.slice(0, int(3, 5)), 'POOR']
      : r < 0.8 ? [int(700, line) * 1000, DEPRIVED.slice(0, int(0, 2)), 'NEAR_POOR'] : [int(3001, 4000) * 1000, [], 'NONE'];
    await a.line(`${code},2024,PERIODIC,2024-${pick(['09', '10', '11'])}-${day()},VN-2022-2025,${income},MONTH,${deprived.join(';')},${status},UBND ${ward.name}`);
    if (!programmes || status === 'NONE') continue;
    // a VBSP loan for a third of the poor and near-poor households
    if (rng() < 0.33) {
      const principal = int(2, 10) * 10_000_000;
      const overdue = rng() < 0.1;
      const outstanding = principal - int(0, 5) * 2_000_000;
      await l.line(`VBSP-${code}-1,${code},1,${status === 'POOR' ? 'POOR_HOUSEHOLD' : 'NEAR_POOR'},VBSP,${principal},${outstanding},2023-0${int(1, 9)}-${day()},2028-06-30,${overdue ? 'OVERDUE' : 'ACTIVE'},${overdue ? 2_000_000 : ''},${overdue ? '2025-03-31' : ''},,2025-06-30`);
    }
    // BHYT cards for every member of two thirds of them (the others are the coverage gap)
    if (rng() < 0.67) {
      const group = status === 'POOR' ? 'POOR_HOUSEHOLD' : 'NEAR_POOR_HOUSEHOLD';
      const letters = status === 'POOR' ? 'HN' : 'CN';
      for (let p = 1; p <= size; p++) await c.line(`${letters}2${String(i).padStart(9, '0')}${String(p).padStart(2, '0')}1,${code},${p},${group},2025-01-01,2025-12-31,1134000`);
    }
    // a housing repair for one in twenty poor households whose house is deprived
    if (status === 'POOR' && deprived.includes('HOUSING_QUALITY') && rng() < 0.05) {
      await s.line(`NHA-${code}-1,${code},REPAIR,NATIONAL_TARGET_PROGRAMME,POOR,HANDED_OVER,2025-02-0${int(1, 9)},2025-03-0${int(1, 9)},2025-04-0${int(1, 9)},2025-08-${day()},2025-09-${day()},CENTRAL_BUDGET:30000000;HOUSEHOLD:${int(1, 10)}000000`);
    }
  }
  const outs = { households: h, members: m, assessments: a, loans: l, insurance_cards: c, housing_supports: s };
  for (const o of Object.values(outs)) await o.close();
  const kinds = programmes ? (['households', 'members', 'assessments', 'loans', 'insurance_cards', 'housing_supports'] as const) : (['households', 'members', 'assessments'] as const);
  return {
    households: h.path, members: m.path, assessments: a.path, loans: l.path, insurance_cards: c.path, housing_supports: s.path,
    files: kinds.map((k) => outs[k].path),
    counts: { households: h.lines, members: m.lines, assessments: a.lines, loans: l.lines, insurance_cards: c.lines, housing_supports: s.lines },
  };
}
