// The search text and query parser live in shared/cache/search-text.ts: the indexed text is part of the
// cache file's format, which the backend's cache-image builder writes too.
export * from '../../../shared/cache/search-text';
