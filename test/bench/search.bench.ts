// search.prefix_ms_p99: search as you type over 1,000,000 cached customers, on the read-only connection
// the app uses, through the same function the customers.search handler calls (parsing, FTS5 trigram
// index, the join for the row's columns, ranking, the matched number), asking for SEARCH_LIMIT rows.
// Queries are what an agent types, keystroke by keystroke: every prefix of 1 to 6 characters of real
// cached names (Chinese and Latin), companies, numbers as printed (with spaces), and name + number.
// Baselines in the same run: the bare FTS5 query without the join (rowids only), and the plain
// customer_phones exact lookup by E.164 (the screen pop's index). The index's size is reported too.
import { prng } from '../../shared/demo/demo-customers';
import { SEARCH_LIMIT, SearchResult } from '../../shared/domain/search';
import { customerRidsByE164 } from '../../electron/services/db/customers';
import { openDb, type Db } from '../../electron/services/db/open';
import { searchCustomers } from '../../electron/services/db/search';
import { parseQuery } from '../../electron/services/db/search-text';
import { cacheFixture } from './fixtures';
import { percentile, type BenchContext } from './report';

const TARGETS = 3000;
const WARMUP = 2000;

type Kind = 'zh-name' | 'latin-name' | 'company' | 'number' | 'mixed';

/** What agents type: strings taken from random cached customers, each typed one character at a time (1–6). */
function typedQueries(db: Db, customers: number): { q: string; kind: Kind }[] {
  const r = prng(20261124);
  const row = db.prepare<[number], { name: string; company: string; phones_json: string }>('SELECT name, company, phones_json FROM customers WHERE rid = ?');
  const out: { q: string; kind: Kind }[] = [];
  for (let n = 0; n < TARGETS; n++) {
    const c = row.get(1 + Math.floor(r() * customers));
    if (!c) continue;
    const phones = JSON.parse(c.phones_json) as [string, string, string][];
    const display = phones[Math.floor(r() * phones.length)]?.[1] ?? '';
    const roll = r();
    let kind: Kind;
    let target: string;
    if (roll < 0.4) {
      target = c.name;
      kind = /^[\x20-\x7e]+$/.test(c.name) ? 'latin-name' : 'zh-name';
    } else if (roll < 0.55 && c.company) {
      target = c.company;
      kind = 'company';
    } else if (roll < 0.9) {
      // Numbers as printed ("138 0013 8000"), or from their last digits, as agents read them off a note.
      target = r() < 0.7 ? display : display.replace(/\D/g, '').slice(-4);
      kind = 'number';
    } else {
      target = `${[...c.name].slice(0, 2).join('')} ${display.replace(/\D/g, '').slice(0, 3)}`;
      kind = 'mixed';
    }
    const chars = [...target];
    for (let len = 1; len <= Math.min(6, chars.length); len++) {
      const q = chars.slice(0, len).join('');
      if (q.trim() && q === q.trimEnd()) out.push({ q, kind });
    }
  }
  return out;
}

function stats(values: number[]) {
  return { p50_ms: percentile(values, 0.5), p90_ms: percentile(values, 0.9), p99_ms: percentile(values, 0.99), max_ms: percentile(values, 1) };
}

export async function benchSearch(ctx: BenchContext): Promise<void> {
  const customers = ctx.customers;
  const file = cacheFixture(customers, ctx.log);
  const db = openDb(file, { readonly: true });
  const queries = typedQueries(db, customers);
  ctx.log(`  search: ${queries.length} typed queries`);

  // warm-up (page cache, statement cache, JIT)
  for (let i = 0; i < WARMUP; i++) searchCustomers(db, queries[i % queries.length]!.q, { region: 'CN' });

  const full: number[] = [];
  const byKind = new Map<Kind, number[]>();
  const byLength = new Map<number, number[]>();
  let hits = 0;
  let more = 0;
  let validateMs = 0;
  for (const { q, kind } of queries) {
    const t0 = performance.now();
    const res = searchCustomers(db, q, { region: 'CN', limit: SEARCH_LIMIT });
    const ms = performance.now() - t0;
    full.push(ms);
    (byKind.get(kind) ?? byKind.set(kind, []).get(kind)!).push(ms);
    const len = [...q].length;
    (byLength.get(len) ?? byLength.set(len, []).get(len)!).push(ms);
    hits += res.hits.length;
    if (res.more) more++;
    // The router validates every answer against the contract before it leaves the main process.
    const v0 = performance.now();
    SearchResult.parse(res);
    validateMs += performance.now() - v0;
  }

  // Baseline 1: the FTS5 query alone, rowids only, no join, no ranking.
  const bare = db.prepare<[string], number>(`SELECT rowid FROM customers_search WHERE customers_search MATCH ? LIMIT ${SEARCH_LIMIT + 1}`).pluck();
  const matches = queries.map(({ q }) => parseQuery(q, { callingCode: '86' }).match).filter((m): m is string => !!m);
  const ftsOnly: number[] = [];
  for (const m of matches) {
    const t0 = performance.now();
    bare.all(m);
    ftsOnly.push(performance.now() - t0);
  }
  // Baseline 2: the screen pop's exact number lookup (customer_phones primary key).
  const e164s = db.prepare('SELECT e164 FROM customer_phones WHERE customer_rid % 50 = 7 LIMIT 20000').pluck().all() as string[];
  const exact: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const e = e164s[(i * 7919) % e164s.length]!;
    const t0 = performance.now();
    customerRidsByE164(db, e);
    exact.push(performance.now() - t0);
  }

  const sizes = db
    .prepare<[], { name: string; bytes: number }>(`SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'customers_search%' GROUP BY name`)
    .all();
  const indexBytes = sizes.reduce((a, s) => a + s.bytes, 0);
  const fileBytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  const rebuildMs = Number(db.prepare("SELECT v FROM meta WHERE k = 'bench_search_rebuild_ms'").pluck().get() ?? NaN);
  db.close();

  const p99 = percentile(full, 0.99);
  const kinds = Object.fromEntries([...byKind].map(([k, v]) => [k, { n: v.length, ...stats(v) }]));
  const lengths = Object.fromEntries([...byLength].sort((a, b) => a[0] - b[0]).map(([k, v]) => [`len${k}`, { n: v.length, ...stats(v) }]));
  ctx.metric('search.prefix_ms_p99', p99, 'ms', 10, 'max', {
    customers,
    queries: full.length,
    limit: SEARCH_LIMIT,
    ...stats(full),
    avg_hits: Math.round((hits / full.length) * 10) / 10,
    share_with_more: Math.round((more / full.length) * 1000) / 1000,
    by_kind: kinds,
    by_length: lengths,
    ipc_validate_avg_ms: Math.round((validateMs / full.length) * 1000) / 1000,
    baseline_fts_only: { what: `FTS5 MATCH alone, rowids, LIMIT ${SEARCH_LIMIT + 1}, no join or ranking`, ...stats(ftsOnly) },
    baseline_exact_phone: { what: 'customer_phones exact E.164 lookup (screen pop index)', ...stats(exact) },
    index_mb: Math.round(indexBytes / 1e5) / 10,
    index_share_of_file: Math.round((indexBytes / fileBytes) * 1000) / 1000,
    index_objects_mb: Object.fromEntries(sizes.map((s) => [s.name, Math.round(s.bytes / 1e5) / 10])),
    rebuild_ms: rebuildMs,
  });
}
