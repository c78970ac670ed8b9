// What the search index holds for a customer, and how typed text becomes an FTS5 query. Pure functions,
// plus registerSearchFunctions(): SQLite calls searchText() from the search triggers on every connection
// (openDb registers it), the search queries call parseQuery(), and the tests call both. Part of the cache
// file's format (shared/cache): the backend's cache-image builder registers the same function.
import type { CacheDb as Db } from './sqlite';
//
// One FTS5 table with the trigram tokenizer serves every query shape, because the indexed text is
// written so that every useful query is at least three characters long (trigram's minimum):
//   - every token is surrounded by two spaces: "  michael  chen  ;  harbor  ;  13800138000  "
//   - CJK characters are tokens of their own: 王芳 → "  王  芳  "
// so a Latin word prefix "m" is the trigram "  m", a single Chinese character 王 is " 王 ", two of them
// 伟明 the phrase " 伟  明 ", and three or more digits are a plain substring of a number. Research
// (sync-anchors.md §3.3) proposed three tables (trigram, a char-split index for 1-2 CJK characters, a
// unicode61 prefix index); one table answers mixed queries ("王芳 138", "michael harbor") with one MATCH
// instead of intersecting row sets across tables. docs/ARCHITECTURE.md (Data, Search) has the numbers.

/** Scripts written without spaces between words: each character is searchable on its own. */
const CJK_CHAR = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}`;
const CJK = new RegExp(`[${CJK_CHAR}]`, 'u');
/** A CJK character, or a run of other letters, digits and marks. */
const TOKEN = new RegExp(`[${CJK_CHAR}]|(?:(?![${CJK_CHAR}])[\\p{L}\\p{N}\\p{M}])+`, 'gu');
const COMBINING = /\p{Mn}/gu;
const PHONE_LIKE = /^[\s+\-–—().·/]*\d[\d\s+\-–—().·/]*$/u;
/** What may stand between two digit groups of one number. */
const PHONE_GAP = /^[\s\-–—().·/]+$/u;

/** Separates name, company and numbers in the indexed text, so a phrase never runs from one into the next. */
const FIELD_GAP = '  ;  ';

/** Bounds on what one query may ask, whatever was typed (the IPC schema bounds the raw input too). */
export const QUERY_LIMITS = { chars: 64, terms: 8, termChars: 24 } as const;

/**
 * Case, width and accents folded the same way for the index and for queries: NFKD without combining
 * marks, recomposed (Hangul syllables come back whole), lower case. Ｌｉ → li, José → jose, ｶﾞ → カ.
 */
export function fold(s: string): string {
  return s.normalize('NFKD').replace(COMBINING, '').normalize('NFKC').toLowerCase();
}

/** ASCII and the CJK Unified Ideographs block need no Unicode normalisation: the fast path for most names. */
// eslint-disable-next-line no-control-regex -- the whole ASCII range, controls included, is the point
const PLAIN = /^[\x00-\x7F\u4E00-\u9FFF]*$/;

export function tokens(s: string): string[] {
  if (!PLAIN.test(s)) return fold(s).match(TOKEN) ?? [];
  // Same result as the general path, without normalising or a Unicode regex (the bulk rebuild calls
  // this for every customer).
  const out: string[] = [];
  let word = -1;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0;
    const alnum = (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
    if (alnum) {
      if (word < 0) word = i;
      continue;
    }
    if (word >= 0) {
      out.push(s.slice(word, i).toLowerCase());
      word = -1;
    }
    if (c >= 0x4e00) out.push(s[i] as string);
  }
  return out;
}

export function digitsOf(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  return out;
}

/** The digits of each number as the agent reads it (the display form: 138 0013 8000 → 13800138000, 010 … keeps its 0). */
export function phoneDigits(phonesJson: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(phonesJson);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: string[] = [];
  for (const p of parsed) {
    if (!Array.isArray(p)) continue;
    const d = digitsOf(String(p[1] || p[0] || ''));
    if (d) out.push(d);
  }
  return out;
}

/** Tokens joined: one space between two CJK characters (so 伟明's trigram "伟 明" keeps them adjacent), two otherwise. */
function joinTokens(toks: readonly string[]): string {
  let out = '';
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as string;
    if (i > 0) out += isCjk(t) && isCjk(toks[i - 1] as string) ? ' ' : '  ';
    out += t;
  }
  return out;
}

function isCjk(token: string): boolean {
  return CJK.test(token);
}

/** One field as indexed, with the same margins as in searchText ('' for an empty field). */
export function fieldText(toks: readonly string[]): string {
  return toks.length ? `  ${joinTokens(toks)}  ` : '';
}

/** The text indexed for one customer: name, company and the digits of each number. */
export function searchText(name: string, company: string, phonesJson: string): string {
  const fields = [tokens(name), tokens(company), phoneDigits(phonesJson)].filter((f) => f.length);
  return fields.length ? `  ${fields.map(joinTokens).join(FIELD_GAP)}  ` : '';
}

export type TermKind = 'cjk' | 'word' | 'digits';

export interface Term {
  kind: TermKind;
  /** The folded text of the term (CJK characters without spaces). */
  text: string;
  /** What the term means: this string occurs in the customer's indexed text (at least 3 characters). */
  needle: string;
  /** The term's part of the FTS5 expression: quoted phrases only. */
  fts: string;
  /** The FTS5 part matches exactly the texts containing the needle; false: rows must be checked in JS. */
  exact: boolean;
}

export interface ParsedQuery {
  terms: Term[];
  /** The FTS5 MATCH expression, or null when nothing searchable was typed. */
  match: string | null;
  /** Every term's FTS5 part is exact: no row needs checking against the needles. */
  exact: boolean;
  /** Only a phone number was typed (digits and phone punctuation). */
  phoneOnly: boolean;
}

function term(kind: TermKind, text: string): Term {
  switch (kind) {
    case 'cjk': {
      const chars = [...text];
      const needle = ` ${chars.join(' ')} `;
      if (chars.length === 1) return { kind, text, needle, fts: ftsQuote(needle), exact: true };
      // Adjacent pairs, each one trigram ("伟 明"): far cheaper than one long phrase whose single-character
      // trigrams (" 京 ") are in a large share of all rows (measured 0.75 vs 2.4 ms for six characters on
      // 1,000,000 customers). Two characters are exact; more may pair up in different places of one
      // customer's text, so those rows are checked against the needle.
      const pairs = [...new Set(chars.slice(1).map((c, i) => `${chars[i] as string} ${c}`))];
      return { kind, text, needle, fts: pairs.map(ftsQuote).join(' AND '), exact: chars.length === 2 };
    }
    case 'word': {
      // Every word in the indexed text follows two spaces, so one space is enough to mean "starts a word"
      // and saves the "  x" trigram that nearly every row has; a single letter needs both.
      const needle = text.length >= 2 ? ` ${text}` : `  ${text}`;
      return { kind, text, needle, fts: ftsQuote(needle), exact: true };
    }
    case 'digits': {
      // Three digits or more match anywhere in a number (agents type the last four as often as the first);
      // one or two match the start of a number.
      const needle = text.length >= 3 ? text : text.length === 2 ? ` ${text}` : `  ${text}`;
      return { kind, text, needle, fts: ftsQuote(needle), exact: true };
    }
  }
}

/** An FTS5 string literal: the whole term is one phrase and nothing in it is query syntax. */
export function ftsQuote(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

export interface ParseOptions {
  /** The home region's country calling code ("86"): "+86 138…" and "0086 138…" search for "138…". */
  callingCode?: string;
}

/**
 * Typed text → terms ANDed together. Never throws; whatever the input, the result is a valid FTS5
 * expression made only of quoted phrases, or null.
 */
export function parseQuery(input: string, opts: ParseOptions = {}): ParsedQuery {
  const none: ParsedQuery = { terms: [], match: null, exact: true, phoneOnly: false };
  if (typeof input !== 'string') return none;
  const text = fold(input.slice(0, QUERY_LIMITS.chars * 4)).slice(0, QUERY_LIMITS.chars);
  const terms: Term[] = [];
  let phoneOnly = false;

  if (PHONE_LIKE.test(text)) {
    phoneOnly = true;
    let d = digitsOf(text);
    // "+…" or "00…" followed by enough digits for a country code and a number: international format.
    const idd = d.startsWith('00') && d.length >= 6;
    const international = text.trimStart().startsWith('+') || idd;
    if (idd) d = d.slice(2);
    const cc = opts.callingCode;
    if (international && cc && d.startsWith(cc) && d.length > cc.length) d = d.slice(cc.length);
    if (d) terms.push(term('digits', d.slice(0, QUERY_LIMITS.termChars)));
  } else {
    let run = '';
    let runEnd = -1;
    const flush = () => {
      if (run) terms.push(term('cjk', [...run].slice(0, QUERY_LIMITS.termChars).join('')));
      run = '';
    };
    let digitsEnd = -1;
    for (const m of text.matchAll(TOKEN)) {
      const t = m[0];
      const last = terms[terms.length - 1];
      // Digit groups of one number typed with spaces or dashes ("王芳 138 0013 8000") stay one number.
      if (/^\d+$/.test(t) && !run && last?.kind === 'digits' && PHONE_GAP.test(text.slice(digitsEnd, m.index))) {
        terms[terms.length - 1] = term('digits', (last.text + t).slice(0, QUERY_LIMITS.termChars));
        digitsEnd = m.index + t.length;
        continue;
      }
      if (CJK.test(t)) {
        // Characters typed together stay together: 伟明 is a phrase, 伟 明 two terms.
        if (m.index !== runEnd) flush();
        run += t;
        runEnd = m.index + t.length;
        continue;
      }
      flush();
      const s = t.slice(0, QUERY_LIMITS.termChars);
      terms.push(term(/^\d+$/.test(s) ? 'digits' : 'word', s));
      digitsEnd = m.index + t.length;
    }
    flush();
  }

  const unique: Term[] = [];
  for (const t of terms) {
    if (unique.length >= QUERY_LIMITS.terms) break;
    if (!unique.some((u) => u.needle === t.needle)) unique.push(t);
  }
  if (!unique.length) return none;
  return { terms: unique, match: unique.map((t) => t.fts).join(' AND '), exact: unique.every((t) => t.exact), phoneOnly };
}

/** Does this term occur in this field's indexed text? The same test as the index's, done in JS. */
export function termIn(t: Term, text: string): boolean {
  return text.includes(t.needle);
}

const registered = new WeakSet<Db>();

/**
 * The SQL function the search triggers call. Every connection that writes customers needs it (openDb
 * registers it on each one); without it a write fails loudly ("no such function"), never silently.
 */
export function registerSearchFunctions(db: Db): void {
  if (registered.has(db)) return;
  db.function('lianluo_search_text', { deterministic: true }, (name: unknown, company: unknown, phones: unknown) =>
    searchText(typeof name === 'string' ? name : '', typeof company === 'string' ? company : '', typeof phones === 'string' ? phones : '[]'),
  );
  registered.add(db);
}
