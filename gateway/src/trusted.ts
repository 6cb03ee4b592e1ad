/**
 * Trusted documents: in production the gateway runs only operations it knows, by their SHA-256 hash. The registry
 * is built from the project's own documents (gateway/operations/*.graphql, the CSV exports' own operations in
 * gateway/operations/export/, plus any folder in
 * ANSINH_TRUSTED_DOCUMENTS_DIRS, colon-separated). `pnpm trusted-documents` prints the manifest clients use.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OPERATIONS_DIR = fileURLToPath(new URL('../operations/', import.meta.url));
/** The operations the CSV exports send (gateway/src/export.ts): registered, or production would refuse them. */
export const EXPORT_OPERATIONS_DIR = fileURLToPath(new URL('../operations/export/', import.meta.url));

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export interface TrustedDocument {
  hash: string;
  name: string;
  query: string;
}

export function trustedDocuments(dirs: string[] = [OPERATIONS_DIR, EXPORT_OPERATIONS_DIR, ...(process.env.ANSINH_TRUSTED_DOCUMENTS_DIRS?.split(':').filter(Boolean) ?? [])]): Map<string, TrustedDocument> {
  const registry = new Map<string, TrustedDocument>();
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort()) {
      const query = readFileSync(join(dir, file), 'utf8');
      const hash = sha256(query);
      registry.set(hash, { hash, name: file.replace(/\.graphql$/, ''), query });
    }
  }
  return registry;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const manifest = [...trustedDocuments().values()].map(({ hash, name }) => ({ id: `sha256:${hash}`, name }));
  console.log(JSON.stringify({ format: 'ansinh-trusted-documents', version: 1, operations: manifest }, null, 2));
}
