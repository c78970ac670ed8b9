// build/patches/sip.js+0.21.2.patch: SIP.js's generated grammar decoded all of its ~230 rules on every
// header it parsed (~100 µs each, ~1.6 ms per INVITE). The patch decodes them once. These checks hold the
// patch to being applied and to changing nothing but the time: every parse still stands alone.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { Grammar } from 'sip.js';
import { describe, expect, it } from 'vitest';

const grammarFile = join(dirname(createRequire(import.meta.url).resolve('sip.js')), 'grammar/pegjs/dist/grammar.js');

/** A header value and its rule, as SIP.js's parser asks for them. */
const HEADERS: [string, string][] = [
  ['SIP/2.0/WS 127.0.0.1:8080;branch=z9hG4bK2a3c.9c8f1b0e6a3b0b1c8d0a1f2e3d4c5b6a.0', 'Via'],
  ['SIP/2.0/WSS df7jal23ls0d.invalid;rport=41235;received=10.0.0.7;branch=z9hG4bK1234567', 'Via'],
  ['"Caller" <sip:13812345678@127.0.0.1>;tag=abcdefgh12', 'From'],
  ['<sip:1001@127.0.0.1>', 'To'],
  ['<sip:127.0.0.1:8080;transport=ws;r2=on;lr=on>', 'Record_Route'],
  ['<sip:abcd1234@8hq2k3l4m5n6.invalid;transport=ws;ob>;expires=600', 'Contact'],
  ['1 INVITE', 'CSeq'],
  ['70', 'Max_Forwards'],
  ['application/sdp', 'Content_Type'],
  ['a84b4c76e66710@pc33.atlanta.com', 'Call_ID'],
  ['Digest realm="127.0.0.1", nonce="Z3Vlc3M=", qop="auth", algorithm=MD5', 'WWW_Authenticate'],
  ['<sip:+8613812345678@example.com;user=phone>', 'Name_Addr_Header'],
];
const MALFORMED: [string, string][] = [
  ['SIP/2.0/WS', 'Via'],
  ['<sip:', 'From'],
  ['one INVITE', 'CSeq'],
  ['<sip:a@b', 'Contact'],
];

/** A parse as plain data (URI and NameAddrHeader objects compared by what they print and hold). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && 'toString' in x && x.constructor !== Object && !Array.isArray(x) ? { text: String(x), ...x } : x)));

describe('SIP.js grammar patch', () => {
  it('is applied to the installed SIP.js (npm install runs patch-package)', () => {
    const text = readFileSync(grammarFile, 'utf8');
    expect(text).toContain('peg$bytecodeOnce');
  });

  it('parses each header the same whatever was parsed before it, malformed ones included', () => {
    const first = new Map(HEADERS.map(([v, r]) => [`${r}:${v}`, plain(Grammar.parse(v, r))]));
    for (const [v, r] of HEADERS) expect(first.get(`${r}:${v}`), `${r}: ${v}`).not.toBe(-1);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...HEADERS, ...MALFORMED), { minLength: 1, maxLength: 30 }), (order) => {
        for (const [v, r] of order) {
          const got = Grammar.parse(v, r);
          if (MALFORMED.some(([mv, mr]) => mv === v && mr === r)) expect(got, `${r}: ${v}`).toBe(-1);
          else expect(plain(got), `${r}: ${v}`).toEqual(first.get(`${r}:${v}`));
        }
      }),
      { numRuns: 200 },
    );
  });
});
