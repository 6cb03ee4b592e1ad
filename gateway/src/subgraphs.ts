/** The subgraphs of the supergraph, their folders and default URLs (each overridable: HOUSEHOLDS_URL, …). */
import { fileURLToPath } from 'node:url';
import { Kind, parse } from 'graphql';

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

/**
 * The subgraphs a supergraph names (its `join__Graph` enum), with the URL written in it. The gateway serves
 * whichever these are: a fifth subgraph needs its URL in the configuration, not a code change.
 */
export function supergraphSubgraphs(supergraphSdl: string): { name: string; url: string }[] {
  const out: { name: string; url: string }[] = [];
  for (const def of parse(supergraphSdl).definitions) {
    if (def.kind !== Kind.ENUM_TYPE_DEFINITION || def.name.value !== 'join__Graph') continue;
    for (const value of def.values ?? []) {
      const directive = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = (n: string) => {
        const v = directive?.arguments?.find((a) => a.name.value === n)?.value;
        return v?.kind === Kind.STRING ? v.value : undefined;
      };
      const name = arg('name');
      if (name) out.push({ name, url: arg('url') ?? '' });
    }
  }
  return out;
}

/** `<NAME>_URL` for a subgraph name (households → HOUSEHOLDS_URL, case-benefits → CASE_BENEFITS_URL). */
export function subgraphEnvName(name: string, suffix: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${suffix}`;
}
