/**
 * Runs the example against a gateway: `ANSINH_URL=http://localhost:4000/ ANSINH_TOKEN=<jwt> pnpm start`
 * (`pnpm token` prints a token per role; docs/security.md).
 */
import { allHouseholds, areaReport, createClient, householdPicture } from './client.js';

const url = process.env.ANSINH_URL ?? 'http://localhost:4000/';
const token = process.env.ANSINH_TOKEN;
if (!token) throw new Error('Set ANSINH_TOKEN to a token (pnpm token)');
const client = createClient(url, token);

const picture = await householdPicture(client, process.argv[2] ?? '27346-00097');
console.log(`household ${picture?.code}: ${picture?.members.length} members, ${picture?.loans?.length ?? 0} loans, ${picture?.housingSupports?.length ?? 0} housing supports`);
const list = await allHouseholds(client, '775', 50, 'POOR');
console.log(`poor households of unit 775: ${list.households.length} of ${list.totalCount}, in ${list.pages} pages`);
const report = await areaReport(client, '775', 2022);
console.log(`${report?.unit.name} ${report?.year}: ${report?.poorHouseholds ?? 'withheld'} poor households, totals ${report?.totalsComplete ? 'complete' : 'incomplete'}`);
