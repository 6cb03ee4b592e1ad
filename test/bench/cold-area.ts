/**
 * The first request of areaStatistics for the ward, its district and its province, in that order (each counts the
 * units the one before did not: the ward all of its own, the district all but that ward, the province all but that
 * district), on a database whose summaries of the year are not stored yet:
 *   node --import tsx test/bench/cold-area.ts DATABASE_URL
 */
import { execSync } from 'node:child_process';
import { formatResult, measureReports, reportCases } from './reports.js';

const url = process.argv[2];
if (!url) throw new Error('usage: node --import tsx test/bench/cold-area.ts DATABASE_URL');
const order = ['areaStatistics ward', 'areaStatistics district', 'areaStatistics province'];
const cases = order.map((name) => reportCases().find((c) => c.name === name)!);
console.log(`load: ${execSync('uptime').toString().trim()}`);
await measureReports({ url, runs: 1, warmup: 0, cases, progress: (line) => console.log(`cold ${line}`) });
console.log(`load: ${execSync('uptime').toString().trim()}`);
