// Search as you type over the cache: name, company and numbers, Chinese by substring. Plain functions
// of (db, args); they work on the main process's read-only connection.
//
// The index is one contentless FTS5 table with the trigram tokenizer (customers_search, migration 3),
// holding search-text.ts's searchText() of each customer. Triggers on customers keep it in step with
// single writes and sync pages; a bulk load sets the triggers aside and calls rebuildSearchIndex() once
// at the end (research: several times faster than maintaining it row by row).
//
// A query is unranked and bounded: FTS5 yields matching rowids in rowid order and stops after LIMIT,
// so its cost follows the size of the answer, not of the cache (bm25 on short prefixes scores every
// match: 100x slower). The at most limit + 1 rows are then ordered in JS: the name equals the query,
// starts with it, contains it, then most recently contacted. When more match than that, the agent sees
// "keep typing".
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js/max';
import type { CustomerCard, PhoneEntry, Tier } from '../../../shared/domain/customer';
import { SEARCH_LIMIT, SEARCH_MAX_LIMIT, type SearchHit, type SearchResult } from '../../../shared/domain/search';
import { customerCard } from './customers';
import type { Statement } from 'better-sqlite3';
import { statements, type Db } from './open';
import { digitsOf, fieldText, parseQuery, registerSearchFunctions, searchText, termIn, tokens, type Term } from './search-text';

export { registerSearchFunctions };

// The index's definition and bulk rebuild are part of the cache file's format (shared/cache), shared
// with the backend's cache-image builder.
export { SEARCH_TABLE, SEARCH_TRIGGERS, rebuildSearchIndex, suspendSearchIndex } from '../../../shared/cache/search-index';

// ---------------------------------------------------------------- queries

interface HitRow {
  id: string;
  name: string;
  company: string;
  tier: string;
  last_contact_at: number | null;
  phones_json: string;
}

/** The one statement a search runs (tests check its plan): the FTS5 scan outside (CROSS JOIN), customers probed by rowid. */
export function searchSql(limit: number): string {
  return `SELECT c.id, c.name, c.company, c.tier, c.last_contact_at, c.phones_json
            FROM (SELECT rowid AS rid FROM customers_search WHERE customers_search MATCH ? LIMIT ${limit}) AS s
           CROSS JOIN customers AS c ON c.rid = s.rid`;
}

const queries = statements((db) => {
  // One statement per LIMIT: literal LIMITs let SQLite size the FTS5 scan (bound ones measured slower).
  const byLimit = new Map<number, Statement<[string], HitRow>>();
  return {
    hits(limit: number) {
      let s = byLimit.get(limit);
      if (!s) {
        s = db.prepare<[string], HitRow>(searchSql(limit));
        byLimit.set(limit, s);
      }
      return s;
    },
    ridById: db.prepare<[string], number>('SELECT rid FROM customers WHERE id = ?').pluck(),
  };
});

export interface SearchOptions {
  limit?: number;
  /** The home region ("CN"), so "+86 138…" finds numbers stored as 138…. */
  region?: string;
  now?: () => number;
}

const callingCodes = new Map<string, string | undefined>();
function callingCodeOf(region: string | undefined): string | undefined {
  if (!region) return undefined;
  if (!callingCodes.has(region)) {
    let cc: string | undefined;
    try {
      cc = getCountryCallingCode(region as CountryCode);
    } catch {
      cc = undefined;
    }
    callingCodes.set(region, cc);
  }
  return callingCodes.get(region);
}

const TIER_ORDER: Record<string, number> = { platinum: 0, gold: 1, silver: 2, standard: 3 };

/** Customers whose name, company or numbers contain what was typed. Never throws on any input text. */
export function searchCustomers(db: Db, query: string, opts: SearchOptions = {}): SearchResult {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const limit = Math.max(1, Math.min(SEARCH_MAX_LIMIT, Math.floor(opts.limit ?? SEARCH_LIMIT)));
  const parsed = parseQuery(query, { callingCode: callingCodeOf(opts.region) });
  if (!parsed.match) return { query, hits: [], more: false, tookMs: now() - t0 };

  const found = queries(db).hits(limit + 1).all(parsed.match);
  const more = found.length > limit;
  // Long Chinese runs are searched by their adjacent pairs: keep the rows that have the whole run.
  const rows = parsed.exact ? found : found.filter((r) => parsed.terms.every((t) => termIn(t, searchText(r.name, r.company, r.phones_json))));
  const key = parsed.terms.map((t) => t.text).join('');
  const digitTerms = parsed.terms.filter((t) => t.kind === 'digits');
  const ranked = rows.map((r) => rank(r, parsed.terms, key, digitTerms));
  ranked.sort(
    (a, b) =>
      a.quality - b.quality ||
      (b.row.last_contact_at ?? -1) - (a.row.last_contact_at ?? -1) ||
      (TIER_ORDER[a.row.tier] ?? 9) - (TIER_ORDER[b.row.tier] ?? 9) ||
      (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0),
  );
  const hits: SearchHit[] = ranked.slice(0, limit).map(({ row, phone, phoneMatched }) => ({
    id: row.id,
    name: row.name,
    company: row.company,
    tier: row.tier as Tier,
    lastContactAt: row.last_contact_at,
    phone,
    phoneMatched,
  }));
  return { query, hits, more, tookMs: now() - t0 };
}

interface Ranked {
  row: HitRow;
  /** 0: the name is the query; 1: starts with it; 2: contains every term; 3: matched elsewhere. */
  quality: number;
  phone: PhoneEntry | null;
  phoneMatched: boolean;
}

function rank(row: HitRow, terms: Term[], key: string, digitTerms: Term[]): Ranked {
  const nameTokens = tokens(row.name);
  const nameText = fieldText(nameTokens);
  let quality = 3;
  if (terms.every((t) => termIn(t, nameText))) {
    const nameKey = nameTokens.join('');
    quality = nameKey === key ? 0 : nameKey.startsWith(key) ? 1 : 2;
  }
  const phones = parsePhones(row.phones_json);
  let chosen = phones[0];
  let phoneMatched = false;
  if (digitTerms.length) {
    const found = phones.find((p) => {
      const text = fieldText([digitsOf(String(p[1] || p[0] || ''))]);
      return digitTerms.some((t) => termIn(t, text));
    });
    if (found) {
      chosen = found;
      phoneMatched = true;
    }
  }
  const phone: PhoneEntry | null = chosen ? { e164: String(chosen[0] ?? ''), display: String(chosen[1] ?? ''), label: String(chosen[2] ?? '') } : null;
  return { row, quality, phone, phoneMatched };
}

/** phones_json as stored: [[e164, display, label], …]; anything else reads as no numbers. */
function parsePhones(json: string): unknown[][] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((p): p is unknown[] => Array.isArray(p)) : [];
  } catch {
    return [];
  }
}

/** The whole card of one customer by server id (opening a search result), or null when it is gone. */
export function customerCardById(db: Db, id: string): CustomerCard | null {
  const rid = queries(db).ridById.get(id);
  return rid === undefined ? null : (customerCard(db, rid) ?? null);
}
