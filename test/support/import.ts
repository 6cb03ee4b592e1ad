/** Helpers for the import tests: HS256 tokens (node:crypto, the format jose verifies; the suite's secret) and multipart uploads. */
import { createHmac } from 'node:crypto';
import { TEST_JWT_SECRET } from '../harness.js';

export function token(claims: Record<string, unknown>, secret = TEST_JWT_SECRET): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: now, exp: now + 600, ...claims })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export const INTEGRATOR_HP = { sub: 'hai-phong-integrator', role: 'CITY_INTEGRATOR', units: ['31'] };

/** POSTs files (kind → CSV text) to /import; returns status and the JSON report. */
export async function upload(baseUrl: string, files: Record<string, string>, options: { token?: string; dryRun?: boolean } = {}) {
  const form = new FormData();
  for (const [kind, text] of Object.entries(files)) form.append(kind, new Blob([text], { type: 'text/csv' }), `${kind}.csv`);
  const url = new URL(`/import${options.dryRun ? '?dryRun=true' : ''}`, baseUrl);
  const res = await fetch(url, { method: 'POST', body: form, headers: options.token ? { authorization: `Bearer ${options.token}` } : {} });
  return { status: res.status, body: (await res.json()) as any };
}
