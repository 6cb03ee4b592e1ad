/**
 * housingStatistics cold (no summary stored for the report's arguments yet) at a ward, a district and a province:
 * each level asks a period of its own (its own `to`), so none reuses another's summaries; one request each.
 *   node --import tsx test/bench/cold-housing.ts DATABASE_URL [tag]
 */
import { execSync } from 'node:child_process';
import { benchUnits, measureReports } from './reports.js';

const [url, tag = String(Date.now() % 1000)] = process.argv.slice(2);
if (!url) throw new Error('usage: node --import tsx test/bench/cold-housing.ts DATABASE_URL [tag]');
const u = benchUnits();
// a December day per level and run: a period nobody asked before (tag: 1-9)
const day = (i: number) => String(10 + ((Number(tag) * 3 + i) % 18)).padStart(2, '0');
// first a request that counts nothing, so the cold figures leave out the fresh system's first request
const cases = [{ name: 'housingProgrammes (first request)', query: '{ housingProgrammes { code } }' }, ...([['ward', u.ward], ['district', u.district], ['province', u.province]] as const).map(([level, code], i) => ({
  name: `housingStatistics ${level} cold (to 2025-12-${day(i)})`,
  query: `{ housingStatistics(unitCode: "${code}", from: "2025-01-01", to: "2025-12-${day(i)}") { __typename } }`,
})).flatMap((c) => [c, {
  // the same report again as a new document (the gateway plans each new query text): what of the cold time is planning
  name: `${c.name.replace(' cold', '')} stored, new text`, query: `${c.query} `,
}])];
console.log(`load: ${execSync('uptime').toString().trim()}`);
await measureReports({ url, runs: 1, warmup: 0, cases, progress: (line) => console.log(line) });
console.log(`load: ${execSync('uptime').toString().trim()}`);
