/**
 * Deterministic CSV files for the import benchmark and the kill test: N households in the demo data's wards, with
 * members and one 2024 assessment each (statuses consistent with VN-2022-2025 for an urban household).
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

const WARDS = ['11410', '11411', '11413', '11414', '11416', '11419'];
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ'];
const GIVEN = ['An', 'Bình', 'Châu', 'Dũng', 'Giang', 'Hà', 'Hùng', 'Lan', 'Mai', 'Nam', 'Phúc', 'Quỳnh', 'Sơn', 'Thảo', 'Tâm'];
const DEPRIVED = ['HEALTH_INSURANCE', 'HOUSING_QUALITY', 'HYGIENIC_LATRINE', 'DOMESTIC_WATER', 'ADULT_EDUCATION'];

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

async function write(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const line of lines) if (!out.write(`${line}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

export interface Generated { households: string; members: string; assessments: string; counts: { households: number; members: number; assessments: number } }

export async function generateImport(dir: string, households: number, seed = 2024, prefix = 'BENCH'): Promise<Generated> {
  const rng = random(seed);
  const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)]!;
  const h: string[] = ['household_code,address,unit_code,area_type,registered_on'];
  const m: string[] = ['household_code,position,full_name,date_of_birth,gender,relation_to_head,national_id,ethnicity'];
  const a: string[] = ['household_code,review_year,kind,assessed_on,standard_code,income_per_capita,income_period,deprived_indicators,status,recorded_by'];
  for (let i = 1; i <= households; i++) {
    const code = `${prefix}-${String(i).padStart(7, '0')}`;
    const ward = pick(WARDS);
    h.push(`${code},"Số ${int(1, 300)} tổ ${int(1, 40)}, phường ${ward}",${ward},URBAN,2024-0${int(1, 6)}-${String(int(10, 28))}`);
    const family = pick(FAMILY);
    const size = int(1, 6);
    for (let p = 1; p <= size; p++) {
      const year = p === 1 ? int(1950, 1995) : p === 2 ? int(1955, 1998) : int(2000, 2020);
      const gender = rng() < 0.5 ? 'MALE' : 'FEMALE';
      const relation = p === 1 ? 'HEAD' : p === 2 ? 'SPOUSE' : 'CHILD';
      const id = p <= 2 ? `031${gender === 'MALE' ? 0 : 1}${String(year).slice(2)}${String(int(0, 999_999)).padStart(6, '0')}` : '';
      m.push(`${code},${p},${family} ${pick(GIVEN)} ${pick(GIVEN)},${year}-0${int(1, 9)}-1${int(0, 9)},${gender},${relation},${id},Kinh`);
    }
    const r = rng();
    const [income, deprived, status] = r < 0.4
      ? [int(900, 2000) * 1000, DEPRIVED.slice(0, int(3, 5)), 'POOR']
      : r < 0.8 ? [int(900, 2000) * 1000, DEPRIVED.slice(0, int(0, 2)), 'NEAR_POOR'] : [int(3001, 4000) * 1000, [], 'NONE'];
    a.push(`${code},2024,PERIODIC,2024-${pick(['09', '10', '11'])}-${String(int(10, 28))},VN-2022-2025,${income},MONTH,${deprived.join(';')},${status},UBND phường ${ward}`);
  }
  const files = { households: join(dir, 'households.csv'), members: join(dir, 'members.csv'), assessments: join(dir, 'assessments.csv') };
  await write(files.households, h);
  await write(files.members, m);
  await write(files.assessments, a);
  return { ...files, counts: { households: h.length - 1, members: m.length - 1, assessments: a.length - 1 } };
}
