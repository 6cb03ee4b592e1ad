/**
 * `pnpm token ROLE [unit codes…]`: prints an HS256 token signed with JWT_SECRET (or the development secret),
 * for development and for testing a deployment that uses HS256. Production tokens come from the identity provider.
 */
import { isRole, ROLES } from '@ansinh/server';
import { authOptionsFromEnv, DEFAULT_MAX_TOKEN_LIFETIME, issueToken, parseDuration } from './auth.js';

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
if (Buffer.byteLength(auth.jwtSecret) < 32) {
  console.error('JWT_SECRET must be at least 32 bytes: the gateway refuses a shorter one');
  process.exit(2);
}
// a token longer-lived than the gateway accepts would only be refused later: say so now
const maxLifetime = auth.maxTokenLifetime ?? DEFAULT_MAX_TOKEN_LIFETIME;
const lifetime = process.env.TOKEN_EXPIRES_IN ? parseDuration(process.env.TOKEN_EXPIRES_IN, 'TOKEN_EXPIRES_IN') : Math.min(12 * 3_600, maxLifetime);
if (lifetime > maxLifetime) {
  console.error(`TOKEN_EXPIRES_IN is ${lifetime} s, longer than the gateway accepts (ANSINH_MAX_TOKEN_LIFETIME, ${maxLifetime} s)`);
  process.exit(2);
}
console.log(await issueToken({ sub: process.env.TOKEN_SUBJECT ?? `cli-${role.toLowerCase()}`, role, units }, auth.jwtSecret, {
  expiresIn: `${lifetime}s`, issuer: auth.issuer, audience: auth.audience,
}));
