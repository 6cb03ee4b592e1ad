/**
 * `pnpm build`: the production entry points precompiled to JavaScript in gateway/dist/, run with plain `node`
 * (`node gateway/dist/serve.js <role>`, `node gateway/dist/start-all.js`), no TypeScript loader at start.
 *
 * esbuild bundles our own code (the gateway, packages/*, subgraphs/*: the same TypeScript-to-JavaScript transform
 * tsx makes on the fly, so a build behaves as a `node --import tsx` run) into a few ES modules, one chunk per role
 * as `serve.ts`'s dynamic imports ask. Packages from node_modules are not bundled: each import of one is written as
 * the path of the file Node would load for it (resolved from the importing source file, pnpm's strict layout), so
 * they load as they always do, one copy each (graphql must be one instance, PGlite finds its .wasm beside itself).
 * `import.meta.url` in our sources is rewritten to the source file's URL, relative to the bundle: schema.graphql,
 * drizzle/ migrations, data/ and the trusted operations are read from the repository, as from the sources.
 * Types are not checked here (`pnpm check` does).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const GATEWAY = fileURLToPath(new URL('./', import.meta.url));
const OUT = fileURLToPath(new URL('./dist/', import.meta.url));
const ENTRIES = ['src/serve.ts', 'src/start-all.ts'];

/** a path relative to the output folder as an import specifier (a relative URL) */
function specifierFromOut(file: string): string {
  const rel = relative(OUT, file).split(sep).map(encodeURIComponent).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

const ours: esbuild.Plugin = {
  name: 'ansinh',
  setup(build) {
    // a package from node_modules: external, as the path of its file (pnpm gives gateway/ only its own dependencies)
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@ansinh/') || args.path.startsWith('node:') || args.pluginData === 'ansinh') return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'ansinh' });
      if (resolved.errors.length) return { errors: resolved.errors };
      if (!resolved.path.includes(`${sep}node_modules${sep}`)) return undefined; // a Node builtin without `node:`
      return { path: specifierFromOut(resolved.path), external: true };
    });
    // our sources: import.meta.url means the source file, wherever the bundle is
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const url = `new URL(${JSON.stringify(specifierFromOut(args.path))}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

const started = performance.now();
const result = await esbuild.build({
  absWorkingDir: GATEWAY,
  entryPoints: ENTRIES,
  outdir: OUT,
  outbase: 'src',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // the conditions Node itself uses (esbuild would add the bundlers' `module` one)
  conditions: [],
  // names as in the sources (error names, the subgraph definitions' `name`), not renamed to avoid collisions
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  write: false,
  plugins: [ours],
});
// each file replaced by a rename (atomic): a process starting from dist/ meanwhile reads the old file or the new
// one, never half of one; then what this build did not make goes (chunks are named by their content's hash)
await mkdir(OUT, { recursive: true });
const made = new Set<string>();
for (const file of result.outputFiles) {
  const temporary = `${file.path}.${process.pid}.tmp`;
  await writeFile(temporary, file.contents);
  await rename(temporary, file.path);
  made.add(basename(file.path));
}
for (const name of await readdir(OUT)) {
  if (!made.has(name) && !name.endsWith('.tmp')) await rm(join(OUT, name), { recursive: true, force: true });
}
const entries = ENTRIES.map((e) => e.replace('src/', '').replace('.ts', '.js'));
console.log(`gateway/dist: ${entries.join(', ')} and ${made.size - entries.length * 2} more files (chunks, source maps) in ${Math.round(performance.now() - started)} ms`);
