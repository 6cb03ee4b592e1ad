/**
 * The compose deployment, without containers: deploy/compose.yaml is read (with a YAML library) and each of its
 * services built from our image is started as a process with the image's entry point (deploy/Dockerfile's
 * ENTRYPOINT and ENV), the service's command and its environment, in depends_on order (a healthy service is one
 * whose /ready answers 200, as its healthcheck asks; the migrate step must exit 0). What differs from the
 * containers is only where things are: PostgreSQL is a fresh database on the server of TEST_DATABASE_URL, each
 * process listens on 127.0.0.1 and a free port, and URLs naming a service (http://households:4001/) name that port.
 * Then requests go through both gateway replicas, and an import through the import process shows up in both.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import postgres from 'postgres';
import { sha256 } from '@ansinh/gateway';
import { TEST_JWT_SECRET } from './harness.js';
import { INTEGRATOR_HP, token, upload } from './support/import.js';
import { ROOT, start, type Started } from './support/processes.js';
import { productionBuild } from './support/build.js';
import { freePort } from './support/ports.js';

const database = inject('database');
const enabled = database.kind === 'postgres';

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  ports?: string[];
}

/** Compose's variable interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const v = vars[name];
    if (v !== undefined && v !== '') return v;
    if (op === '?') throw new Error(`compose needs ${name}: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

/** The exec-form ENTRYPOINT and the ENV of the Dockerfile. */
function readDockerfile(text: string): { entrypoint: string[]; env: Record<string, string> } {
  const joined = text.replace(/\\\n/g, ' ');
  const entrypoint = JSON.parse(/^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(joined)![1]!) as string[];
  const env: Record<string, string> = {};
  for (const m of joined.matchAll(/^ENV\s+(.+)$/gm)) for (const kv of m[1]!.matchAll(/(\w+)=(\S+)/g)) env[kv[1]!] = kv[2]!;
  return { entrypoint, env };
}

async function ready(port: number, timeoutMs = 300_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > until) throw new Error(`port ${port}: not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** what an operator puts in deploy/.env; the timeout is sized for a loaded test machine, as in every other test */
const VARS = {
  POSTGRES_PASSWORD: 'not-used-here', ANSINH_INTERNAL_SECRET: 'internal-secret-of-the-deployment-test-0123456789', JWT_SECRET: TEST_JWT_SECRET,
  SUBGRAPH_TIMEOUT_MS: '120000',
};

describe.skipIf(!enabled)('the compose deployment as processes', () => {
  const compose = parse(readFileSync(join(ROOT, 'deploy/compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
  const image = readDockerfile(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8'));
  const services = Object.entries(compose.services).filter(([, s]) => !s.profiles?.length);
  const ours = services.filter(([, s]) => s.build);
  const ports = new Map<string, number>();
  const processes = new Map<string, Started>();
  const server = database.kind === 'postgres' ? database.server : '';
  const dbName = `ansinh_deploy_${Date.now()}_${process.pid}`;
  let dbUrl = '';
  let admin: postgres.Sql;

  /** the environment of a service as compose gives it, with addresses moved to this machine */
  function environment(name: string, s: Service, vars: Record<string, string> = VARS): NodeJS.ProcessEnv {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...image.env, HOST: '127.0.0.1' };
    for (const [key, raw] of Object.entries(s.environment ?? {})) {
      let value = interpolate(String(raw ?? ''), vars);
      if (key === 'PORT') value = String(ports.get(name));
      else if (/^postgres:\/\/[^@]*@postgres:\d+\//.test(value)) value = dbUrl;
      else value = value.replace(/http:\/\/([\w-]+):(\d+)\//g, (m, host: string) => (ports.has(host) ? `http://127.0.0.1:${ports.get(host)}/` : m));
      env[key] = value;
    }
    return env;
  }

  beforeAll(async () => {
    // the image's build step (RUN pnpm build): its entry point is plain node on gateway/dist
    await productionBuild();
    admin = postgres(server, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${dbName}`);
    const url = new URL(server);
    url.pathname = `/${dbName}`;
    dbUrl = url.toString();
    for (const [name, s] of ours) if (s.environment?.PORT) ports.set(name, await freePort());
    // in depends_on order: each service once its dependencies are healthy (or, for migrate, done)
    const done = new Map<string, Promise<void>>();
    const run = (name: string): Promise<void> => {
      if (!done.has(name)) {
        done.set(name, (async () => {
          const s = compose.services[name]!;
          await Promise.all(Object.keys(s.depends_on ?? {}).map(run));
          if (!s.build) return; // postgres: the fresh database above
          const p = start([...image.entrypoint.slice(1), ...(s.command ?? [])], environment(name, s));
          processes.set(name, p);
          const waits = Object.entries(compose.services).flatMap(([, other]) => Object.entries(other.depends_on ?? {}).filter(([dep]) => dep === name).map(([, d]) => d.condition));
          if (waits.includes('service_completed_successfully')) {
            const code = await new Promise<number | null>((resolve) => p.child.once('exit', resolve));
            if (code !== 0) throw new Error(`${name} exited ${code}:\n${p.output().slice(-4000)}`);
          } else if (ports.has(name)) await ready(ports.get(name)!);
        })());
      }
      return done.get(name)!;
    };
    await Promise.all(services.map(([name]) => run(name)));
  }, 900_000);

  afterAll(async () => {
    await Promise.all([...processes.values()].map((p) => p.stop()));
    await admin?.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin?.end();
  });

  const gateways = () => ours.filter(([, s]) => s.command?.[0] === 'gateway').map(([name]) => `http://127.0.0.1:${ports.get(name)}/`);
  const operation = (name: string) => ({ documentId: `sha256:${sha256(readFileSync(join(ROOT, `gateway/operations/${name}.graphql`), 'utf8'))}` });
  const ask = async (url: string, body: object, role: Parameters<typeof token>[0] = { sub: 'deploy-test', role: 'ADMIN' }) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token(role)}` }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
  };

  it('has the layout the issue asks for: PostgreSQL, four subgraphs, two gateways, the import endpoint, from one image', () => {
    const commands = ours.map(([, s]) => s.command?.[0]).sort();
    expect(commands).toEqual(['credit', 'gateway', 'gateway', 'health', 'households', 'housing', 'import', 'migrate']);
    expect(services.find(([name]) => name === 'postgres')?.[1].image).toMatch(/^postgres:/);
    // plain node on the build the image makes (what beforeAll built here): no TypeScript compiled at start
    expect(image.entrypoint).toEqual(['node', 'gateway/dist/serve.js']);
    expect(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8')).toMatch(/^RUN pnpm build\b/m);
    expect(gateways()).toHaveLength(2);
  });

  it('answers the same registered operations through both gateway replicas', async () => {
    const [a, b] = gateways() as [string, string];
    for (const name of ['HouseholdPicture', 'DistrictReport']) {
      const [ra, rb] = await Promise.all([ask(a, operation(name)), ask(b, operation(name))]);
      expect(ra.status).toBe(200);
      expect(ra.body.errors).toBeUndefined();
      expect(rb).toEqual(ra);
    }
    const report = await ask(a, operation('DistrictReport'));
    expect(report.body.data.areaStatistics).toMatchObject({ unit: { name: 'Quận 6' }, totalHouseholds: 65000, poorHouseholds: 1429, nearPoorHouseholds: 1092 });
    const picture = await ask(b, operation('HouseholdPicture'));
    expect(picture.body.data.householdByCode.code).toBe('27346-00097');
    // production: only registered operations
    const adHoc = await ask(a, { query: '{ __typename }' });
    expect(adHoc.body.errors?.[0].extensions.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
  });

  it('imports through the import process, all of it visible through either gateway', async () => {
    const kinds = ['households', 'members', 'assessments', 'unit_totals', 'loans', 'insurance_cards', 'housing_supports'];
    const files = Object.fromEntries(kinds.map((k) => [k, readFileSync(join(ROOT, `docs/import-examples/${k}.csv`), 'utf8')]));
    const importUrl = `http://127.0.0.1:${ports.get('import')}/`;
    const { status, body } = await upload(importUrl, files, { token: token(INTEGRATOR_HP) });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'applied', counts: { households: { added: 3 }, members: { added: 6 }, loans: { added: expect.any(Number) }, insurance_cards: { added: expect.any(Number) } } });
    for (const g of gateways()) {
      const res = await ask(g, { ...operation('HouseholdPicture'), variables: { code: 'HP-11410-90001' } });
      const h = res.body.data.householdByCode;
      expect(h.code).toBe('HP-11410-90001');
      expect(h.members.map((m: { fullName: string }) => m.fullName)).toContain('Nguyễn Văn Hùng');
      expect(h.members.flatMap((m: { insuranceCards: unknown[] }) => m.insuranceCards).length).toBeGreaterThan(0);
    }
  });

  it('serves /metrics on every process, each under its own service name', async () => {
    for (const [name, s] of ours) {
      if (!ports.has(name)) continue;
      const text = await (await fetch(`http://127.0.0.1:${ports.get(name)}/metrics`)).text();
      const service = s.command![0] === 'gateway' ? 'gateway' : s.command![0];
      expect(text).toContain(`service="${service}"`);
    }
  });

  it('the import process refuses to start when the four schemas are not in one database', async () => {
    const s = compose.services.import!;
    const other = `${dbName}_other`;
    await admin.unsafe(`create database ${other}`);
    try {
      const otherUrl = dbUrl.replace(dbName, other);
      const split = start([...image.entrypoint.slice(1), 'import'], { ...environment('import', s), CREDIT_DATABASE_URL: otherUrl });
      expect(await new Promise((resolve) => split.child.once('exit', resolve))).toBe(1);
      expect(split.output()).toContain('their schemas must share one database');
      const empty = start([...image.entrypoint.slice(1), 'import'], { ...environment('import', s), DATABASE_URL: otherUrl });
      expect(await new Promise((resolve) => empty.child.once('exit', resolve))).toBe(1);
      expect(empty.output()).toMatch(/The households subgraph's tables are not in .* \(0 of its \d+ migrations applied\)/);
    } finally {
      await admin.unsafe(`drop database if exists ${other} with (force)`);
    }
  });
});
