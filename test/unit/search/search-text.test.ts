// The search index's text and the query parser: what is indexed for a customer, what each typed
// query becomes, and (property tests) that any input yields a valid FTS5 expression that SQLite's real
// trigram table accepts, and that every fragment of a customer's name, company or number finds it.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fold, ftsQuote, parseQuery, QUERY_LIMITS, searchText, termIn, tokens } from '../../../electron/services/db/search-text';

const phones = (...displays: string[]) => JSON.stringify(displays.map((d, i) => [`+86000${i}`, d, '']));

describe('fold and tokens', () => {
  it('fold case, width and accents the same way for index and query', () => {
    expect(fold('ＬＩ Wěi José ＡＢＣ１２３')).toBe('li wei jose abc123');
    expect(fold('김철수')).toBe('김철수'); // Hangul syllables come back whole
  });

  it('split CJK into characters and everything else into words', () => {
    expect(tokens('王芳')).toEqual(['王', '芳']);
    expect(tokens('Michael Chen')).toEqual(['michael', 'chen']);
    expect(tokens('Harbor Logistics (Beijing)')).toEqual(['harbor', 'logistics', 'beijing']);
    expect(tokens('O’Brien-Smith 3M')).toEqual(['o', 'brien', 'smith', '3m']);
    expect(tokens('abc王def')).toEqual(['abc', '王', 'def']);
    expect(tokens('Zoë 李')).toEqual(['zoe', '李']);
    expect(tokens('  ')).toEqual([]);
  });

  it('the ASCII/CJK fast path gives what the general path gives', () => {
    const general = (s: string) => fold(s).match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}])[\p{L}\p{N}\p{M}])+/gu) ?? [];
    const ascii = fc.string({ unit: fc.constantFrom(...'abcXYZ09 -_.,()王芳伟明有限公司\t'.split('')), maxLength: 40 });
    fc.assert(
      fc.property(ascii, (s) => {
        expect(tokens(s)).toEqual(general(s));
      }),
    );
  });
});

describe('searchText', () => {
  it('surrounds every token with two spaces, CJK characters with one between them, fields apart', () => {
    expect(searchText('王芳', '北京华信科技有限公司', phones('138 0013 8000', '010 6552 8899'))).toBe(
      '  王 芳  ;  北 京 华 信 科 技 有 限 公 司  ;  13800138000  01065528899  ',
    );
    expect(searchText('Michael Chen', '', phones('+1 415 202 1234'))).toBe('  michael  chen  ;  14152021234  ');
    expect(searchText('', '', '[]')).toBe('');
  });

  it('survives bad phones JSON (no numbers indexed, nothing thrown)', () => {
    expect(searchText('A', '', 'not json')).toBe('  a  ');
    expect(searchText('A', '', '{"x":1}')).toBe('  a  ');
  });
});

describe('parseQuery', () => {
  const m = (q: string, cc?: string) => parseQuery(q, cc ? { callingCode: cc } : {}).match;

  it('turns each kind of fragment into a quoted trigram phrase', () => {
    expect(m('王')).toBe('" 王 "');
    expect(m('伟明')).toBe('"伟 明"'); // one trigram: the two characters side by side
    expect(m('北京华信')).toBe('"北 京" AND "京 华" AND "华 信"'); // pairs; rows checked against " 北 京 华 信 "
    expect(parseQuery('北京华信').exact).toBe(false);
    expect(parseQuery('伟明 mi').exact).toBe(true);
    expect(m('伟 明')).toBe('" 伟 " AND " 明 "');
    expect(m('m')).toBe('"  m"');
    expect(m('Michael ch')).toBe('" michael" AND " ch"');
    expect(m('13')).toBe('" 13"'); // 1-2 digits: the start of a number
    expect(m('1')).toBe('"  1"');
    expect(m('8000')).toBe('"8000"'); // 3+ digits: anywhere in a number
    expect(m('王芳 138')).toBe('"王 芳" AND "138"');
    expect(m('王芳138')).toBe('"王 芳" AND "138"');
    expect(m('王芳 138 0013-8000')).toBe('"王 芳" AND "13800138000"'); // one number typed in groups
    expect(m('+44 20 7946 zoe')).toBe('"44207946" AND " zoe"');
    expect(m('12 王 34')).toBe('" 12" AND " 王 " AND " 34"');
  });

  it('reads a typed phone number as one number, without the home country code', () => {
    expect(m('138-0013 8000')).toBe('"13800138000"');
    expect(m('(010) 6552')).toBe('"0106552"');
    expect(m('+86 138 0013', '86')).toBe('"1380013"');
    expect(m('0086 10 8888', '86')).toBe('"108888"');
    expect(m('+1 415 202', '86')).toBe('"1415202"');
    expect(m('001 415 202', '86')).toBe('"1415202"');
    expect(m('00')).toBe('" 00"'); // too short for an international prefix: digits like any others
    expect(m('0001')).toBe('"0001"');
    expect(m('１３８００')).toBe('"13800"'); // full-width digits from a Chinese IME
  });

  it('has nothing to search for punctuation, symbols or blanks', () => {
    for (const q of ['', '   ', '"', '*', '()', '-', '+', '^', '😀', '\u0000\u202e']) expect(parseQuery(q).match, q).toBeNull();
  });

  it('makes FTS5 syntax inert: operators become words, quotes vanish', () => {
    expect(m('a OR b')).toBe('"  a" AND " or" AND "  b"');
    expect(m('name:x* NOT "y"')).toBe('" name" AND "  x" AND " not" AND "  y"');
    expect(ftsQuote('a"b')).toBe('"a""b"');
  });

  it('bounds what hostile or huge input can ask', () => {
    const q = parseQuery(`${'张'.repeat(10_000)} ${'word '.repeat(1000)}`);
    expect(q.terms.length).toBeLessThanOrEqual(QUERY_LIMITS.terms);
    for (const t of q.terms) expect([...t.text].length).toBeLessThanOrEqual(QUERY_LIMITS.termChars);
    expect(parseQuery('a b c d e f g h i j k l').terms).toHaveLength(QUERY_LIMITS.terms);
    expect(parseQuery('x x x').terms).toHaveLength(1); // duplicates once
  });
});

describe('properties against a real FTS5 trigram table', () => {
  const db = new Database(':memory:');
  afterAll(() => db.close());
  db.exec("CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'trigram', content = '', contentless_delete = 1)");
  const insert = db.prepare('INSERT INTO t(rowid, text) VALUES (?, ?)');
  const match = db.prepare('SELECT rowid FROM t WHERE t MATCH ?').pluck();

  it('any string at all parses to null or to an expression SQLite accepts', () => {
    insert.run(1, searchText('王芳', 'Harbor', phones('138 0013 8000')));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 })), (s) => {
        const q = parseQuery(s, { callingCode: '86' });
        if (q.match === null) return;
        expect(() => match.all(q.match)).not.toThrow();
        for (const t of q.terms) {
          expect(t.needle.length).toBeGreaterThanOrEqual(3); // trigram's minimum
          for (const phrase of t.fts.split(' AND ')) expect(phrase.length - 2).toBeGreaterThanOrEqual(3);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a fragment of a name, a company word start or a number always finds its customer', () => {
    const cjk = fc.string({ unit: fc.constantFrom(...'王李张刘陈伟芳明华信科技有限公司欧阳'.split('')), minLength: 1, maxLength: 8 });
    const latin = fc.array(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzÉé'.split('')), minLength: 1, maxLength: 9 }), { minLength: 1, maxLength: 3 });
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 7, maxLength: 12 });
    let rid = 100;
    fc.assert(
      fc.property(cjk, latin, digits, fc.nat(), fc.nat(), fc.nat(), (zh, words, number, a, b, pick) => {
        const id = ++rid;
        const name = `${zh} ${words.join(' ')}`;
        const company = `${words[words.length - 1] as string} Ltd`;
        insert.run(id, searchText(name, company, phones(number)));
        const chars = [...zh];
        const i = a % chars.length;
        const j = i + 1 + (b % (chars.length - i));
        const word = words[pick % words.length] as string;
        const queries = [
          chars.slice(i, j).join(''), // any CJK substring
          word.slice(0, 1 + (a % word.length)), // the start of any word
          number.slice(a % (number.length - 2)).slice(0, 3 + (b % 6)), // 3+ digits from anywhere in the number
          number.slice(0, 1 + (b % 2)), // its first one or two digits
          `${chars.slice(i, j).join('')} ${word}`, // mixed
          `${number.slice(0, 4)} ${word.toUpperCase()}`,
        ];
        for (const q of queries) {
          const parsed = parseQuery(q);
          expect(parsed.match, q).not.toBeNull();
          expect(match.all(parsed.match), `${q} → ${parsed.match}`).toContain(id);
          // The JS check the ranking uses agrees with the index.
          const text = searchText(name, company, phones(number));
          for (const t of parsed.terms) expect(termIn(t, text), q).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('does not match across fields or across separate words', () => {
    insert.run(5000, searchText('王芳', '北京', phones('138 0013 8000')));
    insert.run(5001, searchText('Ann Lee', 'Smith', phones('021 1234 5678')));
    const ids = (q: string) => match.all(parseQuery(q).match) as number[];
    expect(ids('芳北')).not.toContain(5000); // end of the name + start of the company
    expect(ids('nlee')).not.toContain(5001);
    expect(ids('ee')).not.toContain(5001); // words match by their start
    expect(ids('lee smi')).toContain(5001);
    expect(ids('0001')).not.toContain(5000); // 8000 + 0106… across two numbers? one number here; and not across fields
  });
});
