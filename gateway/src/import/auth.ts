/**
 * Who may call the import endpoint. The token is verified by the gateway's own authenticator (auth.ts: the same
 * JWT_SECRET, JWKS_FILE or JWKS_URL as every GraphQL request); this adds the import rule: a city integrator
 * imports into its area, an administrator anywhere, every other role gets 403 FORBIDDEN.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError, type ImportCaller } from '@ansinh/server';
import type { Authenticator } from '../auth.js';

/** Roles that may import: a city integrator (into its area) and an administrator (anywhere). */
export const IMPORT_ROLES = ['CITY_INTEGRATOR', 'ADMIN'] as const;

export function importAuthenticator(authenticate: Authenticator): (req: IncomingMessage) => Promise<ImportCaller> {
  return async (req) => {
    const { sub, role, units } = await authenticate(req);
    if (!(IMPORT_ROLES as readonly string[]).includes(role)) throw new HttpError(403, 'FORBIDDEN', `Role ${role} may not import (only ${IMPORT_ROLES.join(', ')})`);
    return { sub, role, units: role === 'ADMIN' ? null : units };
  };
}
