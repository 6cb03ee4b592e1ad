/**
 * `pnpm token ROLE [unit codes…]`: prints an HS256 token signed with JWT_SECRET (or the development secret),
 * for development and for testing a deployment that uses HS256. Production tokens come from the identity provider.
 */
import { isRole, ROLES } from '@ansinh/server';
import { authOptionsFromEnv, issueToken } from './auth.js';

const [role, ...units] = process.argv.slice(2);
if (!isRole(role)) {
  console.error(`usage: pnpm token <${ROLES.join('|')}> [unit codes…]   e.g. pnpm token WARD_OFFICER 27373`);
  process.exit(2);
}
const auth = authOptionsFromEnv();
if (!auth.jwtSecret) {
  console.error('This deployment verifies RS256/ES256 tokens from a JWKS: issue tokens with its identity provider.');
  process.exit(2);
}
console.log(await issueToken({ sub: process.env.TOKEN_SUBJECT ?? `cli-${role.toLowerCase()}`, role, units }, auth.jwtSecret, {
  expiresIn: process.env.TOKEN_EXPIRES_IN ?? '12h', issuer: auth.issuer, audience: auth.audience,
}));
