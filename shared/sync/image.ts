// Cache images: the backend builds the desktop's whole cache file once (shared/cache format, the same
// steps a desktop takes for an NDJSON bulk load) and desktops download it for a first sync or after a
// reset, then continue with the NDJSON delta feed (protocol.ts) from the image's cursors.
//
//   GET /v1/sync/image              → 200 CacheImageManifest, or 404 when the server has none
//   GET /v1/sync/image/<sha256>     → the file (application/vnd.sqlite3), HTTP Range supported
//
// The cursors are those of one consistent snapshot of the server (every change with seq <= cursor is in
// the file, none after it), with the epochs the feed hands out, so `GET /v1/sync/<stream>?after=cursor&
// epoch=…` continues without a gap or a duplicate. A manifest whose schemaVersion is not the desktop's
// cache schema is ignored (the desktop pulls NDJSON pages instead).
import { z } from 'zod';
import { Epoch, Seq } from './protocol';

export const CACHE_IMAGE_PATH = '/v1/sync/image';
export const CACHE_IMAGE_TYPE = 'application/vnd.sqlite3';

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'is not a lowercase hex SHA-256');

export const ImageCursor = z.object({ cursor: Seq, epoch: Epoch }).strict();

export const CacheImageManifest = z
  .object({
    /** The cache schema (PRAGMA user_version, shared/cache/migrations.ts) the file was built with. */
    schemaVersion: z.number().int().min(1).max(1_000_000),
    cursors: z.object({ customers: ImageCursor, interactions: ImageCursor }).strict(),
    bytes: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    sha256: Sha256Hex,
    rows: z.object({ customers: z.number().int().min(0), interactions: z.number().int().min(0) }).strict(),
    /** When the server finished the file (ms since epoch). */
    builtAt: z.number().int().min(0),
  })
  .strict();
export type CacheImageManifest = z.infer<typeof CacheImageManifest>;

export const CacheImageParams = z.object({ sha256: Sha256Hex }).strict();

/** The meta rows a cache image may carry (anything else makes the desktop refuse it). */
export const IMAGE_META_KEYS = ['source', 'image_built_at'] as const;
