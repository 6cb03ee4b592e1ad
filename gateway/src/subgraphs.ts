/** The subgraphs of the supergraph, their folders and default URLs (each overridable: HOUSEHOLDS_URL, …). */
import { fileURLToPath } from 'node:url';

export const SUBGRAPHS = [
  { name: 'households', port: 4001 },
  { name: 'credit', port: 4002 },
  { name: 'health', port: 4003 },
  { name: 'housing', port: 4004 },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SUPERGRAPH_FILE = fileURLToPath(new URL('../../supergraph.graphql', import.meta.url));

export function schemaFile(name: string): string {
  return fileURLToPath(new URL(`../../subgraphs/${name}/schema.graphql`, import.meta.url));
}

export function defaultUrl(name: SubgraphName): string {
  const sg = SUBGRAPHS.find((s) => s.name === name)!;
  return process.env[`${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${sg.port}/`;
}
