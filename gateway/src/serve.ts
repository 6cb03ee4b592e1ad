/**
 * One entry point for every process of a deployment, as the container image runs them:
 *
 *   node gateway/dist/serve.js <role>              (the build of `pnpm build`, as the image runs it)
 *   node --import tsx gateway/src/serve.ts <role>  (the sources)
 *
 * roles: gateway · households · credit · health · housing (a subgraph alone) · import (the HTTP import endpoint) ·
 * migrate (apply every subgraph's migrations, load the demo data when ANSINH_DEMO_DATA is on, exit) · all (the
 * whole system in one process, as `pnpm start`). Each role loads only its own code.
 */
import { SUBGRAPHS } from './subgraphs.js';

const ROLES = ['gateway', ...SUBGRAPHS.map((s) => s.name), 'import', 'migrate', 'all'] as const;
const role = process.argv[2] ?? process.env.ANSINH_ROLE;

switch (role) {
  case 'gateway': await import('./main.js'); break;
  case 'all': await import('./start-all.js'); break;
  case 'import': await import('./import/main.js'); break;
  case 'migrate': await import('./migrate.js'); break;
  // the registry writes the programme subgraphs' copies of it in its own transactions: it needs their code too
  case 'households': await import('./system.js').then(async ({ householdsWithFollowers }) =>
    (await import('@ansinh/server')).runSubgraph(Object.defineProperty(householdsWithFollowers, 'name', { value: 'households' }), 4001)); break;
  case 'credit': await import('@ansinh/credit').then(async ({ credit }) => (await import('@ansinh/server')).runSubgraph(credit, 4002)); break;
  case 'health': await import('@ansinh/health').then(async ({ health }) => (await import('@ansinh/server')).runSubgraph(health, 4003)); break;
  case 'housing': await import('@ansinh/housing').then(async ({ housing }) => (await import('@ansinh/server')).runSubgraph(housing, 4004)); break;
  default:
    process.stderr.write(`usage: serve.ts <role> (or ANSINH_ROLE=<role>); roles: ${ROLES.join(', ')}${role ? `; got "${role}"` : ''}\n`);
    process.exit(2);
}
