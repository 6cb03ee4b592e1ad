export * from './gateway.js';
export * from './system.js';
export * from './subgraphs.js';
export { explorerPage, exampleOperations } from './explorer.js';
export { compose } from './compose.js';
export * from './auth.js';
export * from './limits.js';
export { trustedDocuments, sha256 } from './trusted.js';
/** jose itself, for token tooling and tests (the e2e package has no dependency of its own on it) */
export * as jose from 'jose';
export * from './import/orchestrator.js';
export { importAuthenticator, IMPORT_ROLES } from './import/auth.js';
export { importRoute } from './import/route.js';
export { checkSchemas, currentSchemas, release as releaseSchemas, type IntendedChange } from './schema-check.js';
export { isIdempotent, observeSubgraphRequests, subgraphFetcher } from './fetch.js';
export { rateLimitFromEnv, type RateLimit } from './ratelimit.js';
export { REPORTS, exportRoutes } from './export.js';
