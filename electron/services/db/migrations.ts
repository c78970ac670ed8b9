// The cache's schema migrations live in shared/cache/migrations.ts: the cache file's format is a contract
// with the backend, which builds whole cache files ("cache images") with the same migrations.
export * from '../../../shared/cache/migrations';
