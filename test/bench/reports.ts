/**
 * Report latencies at N, through our gateway: the area reports of the bench's ward, district and province.
 * (The data side of issue 11 replaces this with the full list of reports.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './dataset.js';

const REPORTS: [string, Record<string, unknown>][] = [
  ['DistrictReport', { unitCode: '11410', year: 2024 }],
  ['DistrictReport', { unitCode: '306', year: 2024 }],
  ['DistrictReport', { unitCode: '31', year: 2024 }],
];

export async function reportLatencies(gatewayUrl: string, authorization: string, times = 5): Promise<void> {
  console.log(`\nreport latencies through our gateway (${times} times each, one at a time)`);
  const table: Record<string, Record<string, string>> = {};
  for (const [name, variables] of REPORTS) {
    const query = readFileSync(join(ROOT, `gateway/operations/${name}.graphql`), 'utf8');
    const ms: number[] = [];
    let errors = 0;
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      const res = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { errors?: unknown[] };
      ms.push(performance.now() - t0);
      if (body.errors) errors++;
    }
    ms.sort((a, b) => a - b);
    table[`${name} ${JSON.stringify(variables)}`] = { 'p50 ms': ms[Math.floor(times / 2)]!.toFixed(0), 'max ms': ms.at(-1)!.toFixed(0), errors: String(errors) };
  }
  console.table(table);
}
