/**
 * The explorer: GraphiQL from @graphql-yoga/render-graphiql, a self-contained page (scripts, styles and
 * workers inline), so it works on a closed network. Preloaded with the example operations in operations/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApolloServerPlugin } from '@apollo/server';

const OPERATIONS_DIR = fileURLToPath(new URL('../operations/', import.meta.url));

export function exampleOperations(): { name: string; query: string }[] {
  return readdirSync(OPERATIONS_DIR).filter((f) => f.endsWith('.graphql')).sort()
    .map((f) => ({ name: f.replace(/\.graphql$/, ''), query: readFileSync(OPERATIONS_DIR + f, 'utf8') }));
}

/** The exports the page offers, with a first set of parameters (gateway/src/export.ts). */
const EXPORTS: Record<string, string> = {
  households: 'year=2022', credit: 'on=2022-12-31', health: 'on=2022-12-31', housing: 'from=2021-01-01&to=2022-12-31', gaps: 'on=2022-12-31',
};

/** Where the page keeps the token: this browser's localStorage, never a cookie or the server. */
export const TOKEN_KEY = 'ansinh.explorer.token';

/**
 * The bar above GraphiQL: one token for every tab (kept in localStorage, sent as `Authorization` by a wrapper of
 * `fetch` that only touches requests to this gateway), and the CSV exports, downloaded with the same token.
 * GraphiQL is rendered only once there is a token, so the page starts no request that would be refused.
 */
const BAR = `
<style>
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; }
  #ansinh-bar { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; padding: 6px 12px; font: 13px system-ui, sans-serif;
    background: #0b3d5c; color: #fff; }
  #ansinh-bar input, #ansinh-bar select, #ansinh-bar button { font: inherit; padding: 2px 6px; }
  #ansinh-bar form { display: flex; gap: 6px; align-items: center; margin: 0; }
  #ansinh-token { width: 22em; }
  #ansinh-status { opacity: .85; }
  #root { flex: 1; min-height: 0; }
  #ansinh-welcome { padding: 2em; font: 15px system-ui, sans-serif; max-width: 46em; }
</style>
<div id="ansinh-bar">
  <form id="ansinh-token-form" autocomplete="off">
    <label for="ansinh-token">Token</label>
    <input id="ansinh-token" type="password" placeholder="paste a token (pnpm token prints one per role)" />
    <button type="submit" id="ansinh-token-save">Use for all tabs</button>
    <button type="button" id="ansinh-token-clear">Forget</button>
    <span id="ansinh-status"></span>
  </form>
  <form id="ansinh-export-form">
    <label for="ansinh-export-report">CSV</label>
    <select id="ansinh-export-report">${Object.keys(EXPORTS).map((r) => `<option value="${r}">${r}</option>`).join('')}</select>
    <input id="ansinh-export-unit" value="775" size="6" aria-label="unit code" />
    <input id="ansinh-export-params" value="${EXPORTS.households}" size="24" aria-label="parameters" />
    <button type="submit" id="ansinh-export-download">Download</button>
    <span id="ansinh-export-status"></span>
  </form>
</div>
<script>
(function () {
  var KEY = ${JSON.stringify(TOKEN_KEY)};
  var EXPORTS = ${JSON.stringify(EXPORTS)};
  var token = function () { return localStorage.getItem(KEY) || ''; };
  var original = window.fetch.bind(window);
  // every request of the page to this gateway carries the token (and the CSRF header Apollo asks of GET requests)
  window.fetch = function (input, init) {
    var url = new URL(typeof input === 'string' ? input : (input && input.url) || String(input), location.href);
    if (url.origin !== location.origin) return original(input, init);
    init = Object.assign({}, init);
    var headers = new Headers(init.headers || (typeof input === 'object' && input.headers) || {});
    if (token() && !headers.has('authorization')) headers.set('authorization', 'Bearer ' + token());
    headers.set('apollo-require-preflight', 'true');
    init.headers = headers;
    return original(input, init);
  };
  function describe(t) {
    try {
      var p = JSON.parse(atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return 'token set: ' + (p.role || '?') + (p.units && p.units.length ? ' of ' + p.units.join(', ') : '') + (p.exp ? ', until ' + new Date(p.exp * 1000).toISOString().slice(0, 16).replace('T', ' ') : '');
    } catch (e) { return 'token set'; }
  }
  function status() { document.getElementById('ansinh-status').textContent = token() ? describe(token()) : 'no token yet'; }
  document.getElementById('ansinh-token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var value = document.getElementById('ansinh-token').value.trim().replace(/^Bearer\s+/i, '');
    if (!value) return;
    localStorage.setItem(KEY, value);
    location.reload(); // GraphiQL loads the schema with the new token
  });
  document.getElementById('ansinh-token-clear').addEventListener('click', function () { localStorage.removeItem(KEY); location.reload(); });
  document.getElementById('ansinh-export-report').addEventListener('change', function (e) {
    document.getElementById('ansinh-export-params').value = EXPORTS[e.target.value];
  });
  document.getElementById('ansinh-export-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var report = document.getElementById('ansinh-export-report').value;
    var unit = document.getElementById('ansinh-export-unit').value.trim();
    var params = document.getElementById('ansinh-export-params').value.trim();
    var out = document.getElementById('ansinh-export-status');
    out.textContent = 'downloading…';
    window.fetch('/export/' + report + '.csv?unitCode=' + encodeURIComponent(unit) + (params ? '&' + params : '')).then(function (res) {
      if (!res.ok) return res.json().then(function (b) { throw new Error((b.errors && b.errors[0] && (b.errors[0].extensions.code + ': ' + b.errors[0].message)) || res.status); });
      var name = (/filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '') || [])[1] || report + '.csv';
      return res.blob().then(function (blob) {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = name;
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        out.textContent = name;
      });
    }).catch(function (err) { out.textContent = String(err.message || err); });
  });
  status();
})();
</script>
`;

const WELCOME = `<div id="ansinh-welcome"><h2>An Sinh Graph explorer</h2>
<p>Paste a token in the bar above and choose <b>Use for all tabs</b>: the schema, its documentation and autocompletion load
with it, and every example tab sends it. The token stays in this browser (localStorage) until you choose <b>Forget</b>.
<code>pnpm start</code> prints one per role; see docs/security.md.</p></div>`;

export async function explorerPage(): Promise<string> {
  // loaded here, not at start: a 9 MB module whose compiling took a second of CPU of every gateway start, also
  // where the explorer is off (production)
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  // the full picture first: it is what most people come to see
  const operations = exampleOperations().sort((a, b) => Number(b.name === 'HouseholdPicture') - Number(a.name === 'HouseholdPicture'));
  const first = operations[0];
  const html = renderGraphiQL({
    title: 'An Sinh Graph explorer',
    endpoint: '/',
    defaultQuery: first?.query,
    // GraphiQL props: one tab per example operation
    defaultTabs: operations.map((o) => ({ query: o.query })),
    defaultEditorToolsVisibility: 'variables',
    shouldPersistHeaders: false,
    // the token comes from the bar above (every tab), not from each tab's headers
    headers: '{}',
  } as Parameters<typeof renderGraphiQL>[0]);
  // render GraphiQL only with a token: without one it would fetch the schema and show a refusal
  const call = html.lastIndexOf('YogaGraphiQL.renderYogaGraphiQL(');
  const end = html.indexOf('</script>', call);
  if (call < 0 || end < 0) throw new Error('the GraphiQL page has changed: no renderYogaGraphiQL call to wrap');
  const deferred = `window.ansinhRenderExplorer = function () { ${html.slice(call, end).trim()} };
    if (localStorage.getItem(${JSON.stringify(TOKEN_KEY)})) window.ansinhRenderExplorer();
    else document.querySelector('#root').innerHTML = ${JSON.stringify(WELCOME)};
  `;
  const body = html.indexOf('<div id="root"></div>');
  return html.slice(0, body) + BAR + html.slice(body, call) + deferred + html.slice(end);
}

/** Serves the explorer where Apollo Server would serve its (CDN-loaded) landing page. */
export function explorerPlugin(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      const html = await explorerPage();
      return { async renderLandingPage() { return { html }; } };
    },
  };
}
