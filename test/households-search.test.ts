/**
 * searchHouseholds over imported households (docs/households.md, "Search"): the folded address and head's name the
 * trigram index holds follow every import — a new household, a renamed head, a changed address, another member made
 * head — and the area rules hold: a ward officer sees only their area, a post-reform unit rolls up its old units.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSystem, type TestSystem } from './harness.js';
import { INTEGRATOR_HP, token, upload } from './support/import.js';

let t: TestSystem;
beforeAll(async () => { t = await testSystem(); });
afterAll(async () => { await t?.close(); });

const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
const HOUSEHOLDS = 'household_code,address,unit_code,area_type,registered_on';
const MEMBERS = 'household_code,position,full_name,date_of_birth,gender,relation_to_head,national_id,ethnicity';

/** Made-up words, so that nothing else a test database may hold is found by them. */
const FILES = {
  households: csv(HOUSEHOLDS,
    'HP-11410-93101,"Số 5 ngõ Tìm Kiếm Ba, Phường Đông Hải 1",11410,URBAN,2024-03-01',
    'HP-11419-93102,"Số 9 ngõ Tìm Kiếm Ba, Phường Nam Hải",11419,URBAN,2024-03-01'),
  members: csv(MEMBERS,
    'HP-11410-93101,1,Khổng Thị Quyênh,1970-01-01,FEMALE,HEAD,,Kinh',
    'HP-11410-93101,2,Khổng Văn Quyếtt,1995-01-01,MALE,CHILD,,Kinh',
    'HP-11419-93102,1,Khổng Đức Quyềnn,1965-01-01,MALE,HEAD,,Kinh'),
};

async function importFiles(files: Record<string, string>) {
  const { status, body } = await upload(t.url, files, { token: token(INTEGRATOR_HP) });
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.status, JSON.stringify(body.issues)).toBe('applied');
  return body;
}

/** The codes searchHouseholds answers, in its order; `as` a role and units, else the admin. */
async function search(text: string, unitCode: string | null, as?: [string, string[]]): Promise<string[]> {
  const headers = as ? await t.as(as[0] as never, as[1]) : undefined;
  const res = await t.query(`query ($text: String!, $unitCode: String) { searchHouseholds(text: $text, unitCode: $unitCode, first: 50) { code } }`,
    { text, unitCode }, headers);
  expect(res.errors).toBeUndefined();
  return res.data.searchHouseholds.map((h: { code: string }) => h.code);
}

describe('imported households', () => {
  beforeAll(async () => { await importFiles(FILES); });

  it('are found by the address and by the head\'s name, without accents or case, in code order', async () => {
    expect(await search('ngo tim kiem ba', '31')).toEqual(['HP-11410-93101', 'HP-11419-93102']);
    expect(await search('NGÕ TÌM KIẾM BA', null)).toEqual(['HP-11410-93101', 'HP-11419-93102']);
    expect(await search('khong thi quyenh', '31')).toEqual(['HP-11410-93101']);
    expect(await search('Quyềnn', null)).toEqual(['HP-11419-93102']);
    // a member who is not the head does not find the household
    expect(await search('quyett', null)).toEqual([]);
    // the address and the name are two texts: a search across both finds nothing
    expect(await search('hai 1 khong', null)).toEqual([]);
  });

  it('answer a ward officer only in their area, and roll up under the post-reform ward', async () => {
    expect(await search('tim kiem ba', '31', ['WARD_OFFICER', ['11419']])).toEqual(['HP-11419-93102']);
    expect(await search('tim kiem ba', null, ['WARD_OFFICER', ['11410']])).toEqual(['HP-11410-93101']);
    // Phường Đông Hải (11411 since 2025-07-01) took Đông Hải 1 in full, Nam Hải only in part
    expect(await search('tim kiem ba', '11411')).toEqual(['HP-11410-93101']);
  });

  it('an unknown unit code is refused, naming it', async () => {
    const res = await t.query(`{ searchHouseholds(text: "tim kiem ba", unitCode: "99999") { code } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toBe('No administrative unit has the code "99999"');
  });
});

describe('an import that reads the heads ahead of its households', () => {
  it('finds a new household by the head its members file names, whatever the order of the columns and rows', async () => {
    await importFiles({
      households: csv(HOUSEHOLDS, 'HP-11410-93103,"Số 7 ngõ Đọc Trước, Phường Đông Hải 1",11410,URBAN,2024-03-01'),
      members: csv('full_name,relation_to_head,position,household_code,date_of_birth,gender,national_id,ethnicity',
        'Mạc Văn Conn,CHILD,2,HP-11410-93103,2001-01-01,MALE,,Kinh',
        'Mạc Thị Đọcc,HEAD,1,HP-11410-93103,1969-01-01,FEMALE,,Kinh'),
    });
    expect(await search('mac thi docc', '31')).toEqual(['HP-11410-93103']);
    expect(await search('mac van conn', '31')).toEqual([]);
  });

  it('leaves nothing to be found when a row is refused (a second head)', async () => {
    const { body } = await upload(t.url, {
      households: csv(HOUSEHOLDS, 'HP-11410-93104,"Số 8 ngõ Bị Từ Chối, Phường Đông Hải 1",11410,URBAN,2024-03-01'),
      members: csv(MEMBERS,
        'HP-11410-93104,1,Mạc Thị Từchốii,1969-01-01,FEMALE,HEAD,,Kinh',
        'HP-11410-93104,2,Mạc Văn Haichủu,1968-01-01,MALE,HEAD,,Kinh'),
    }, { token: token(INTEGRATOR_HP) });
    expect(body.status).toBe('rejected');
    expect(await search('tuchoii', null)).toEqual([]);
    expect(await search('bi tu choi', null)).toEqual([]);
  });
});

describe('after the households change', () => {
  beforeAll(async () => { await importFiles(FILES); });

  it('a renamed head and a changed address are found by the new text, not the old', async () => {
    const body = await importFiles({
      households: FILES.households.replace('Số 9 ngõ Tìm Kiếm Ba, Phường Nam Hải', 'Số 9 đường Đổi Mớii, Phường Nam Hải'),
      members: FILES.members.replace('Khổng Thị Quyênh', 'Lạc Thị Huyềnh'),
    });
    expect(body.counts.households).toEqual({ added: 0, changed: 1, unchanged: 1 });
    expect(body.counts.members).toEqual({ added: 0, changed: 1, unchanged: 2 });
    expect(await search('khong thi quyenh', null)).toEqual([]);
    expect(await search('lac thi huyenh', '31')).toEqual(['HP-11410-93101']);
    expect(await search('tim kiem ba', '31')).toEqual(['HP-11410-93101']);
    expect(await search('duong doi moii', '31')).toEqual(['HP-11419-93102']);
  });

  it('another member made head is found by their name, the former head no longer', async () => {
    await importFiles({
      members: csv(MEMBERS,
        'HP-11410-93101,1,Lạc Thị Huyềnh,1970-01-01,FEMALE,SPOUSE,,Kinh',
        'HP-11410-93101,2,Khổng Văn Quyếtt,1995-01-01,MALE,HEAD,,Kinh'),
    });
    expect(await search('quyett', null)).toEqual(['HP-11410-93101']);
    expect(await search('huyenh', null)).toEqual([]);
  });
});
