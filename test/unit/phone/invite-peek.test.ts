// The early pop number, read from an INVITE's raw bytes, must be the number the phone pops once SIP.js
// has parsed the same bytes (else the early lookup is wasted, never wrong: the pop only takes an early
// answer for the same number). Compared here with SIP.js's own parser and phone.ts's identity rules.
import fc from 'fast-check';
import { Levels, LoggerFactory, Parser, type IncomingRequestMessage } from 'sip.js/lib/core';
import { describe, expect, it } from 'vitest';
import { CONTEXT_HEADER, parseContext } from '../../../renderer/phone/context-header';
import { callerIdentity } from '../../../renderer/phone/identity';
import { peekInviteNumber } from '../../../renderer/phone/invite-peek';

const logger = (() => {
  const f = new LoggerFactory();
  f.builtinEnabled = false;
  f.level = Levels.error;
  return f.getLogger('test');
})();

/** What phone.ts onInvite pops for these bytes, through SIP.js's parser. */
function popNumberBySipJs(raw: string): string | undefined {
  const m = Parser.parseMessage(raw, logger) as IncomingRequestMessage | undefined;
  if (!m || m.method !== 'INVITE' || m.toTag) return undefined;
  const who = callerIdentity({ header: (h) => m.getHeader(h), fromUser: m.from.uri.user, fromDisplayName: m.from.displayName });
  const context = parseContext(m.getHeader(CONTEXT_HEADER));
  return context?.number || who.number || undefined;
}

function invite(o: { from: string; to?: string; pai?: string; context?: string; compact?: boolean; fold?: boolean; lf?: boolean }): string {
  const h = (full: string, short: string) => (o.compact ? short : full);
  const lines = [
    'INVITE sip:1001@127.0.0.1:8080;transport=ws SIP/2.0',
    'Via: SIP/2.0/WSS 127.0.0.1:8080;branch=z9hG4bK776asdhds',
    'Max-Forwards: 70',
    `${h('To', 't')}: ${o.to ?? '<sip:1001@127.0.0.1>'}`,
    o.fold ? `${h('From', 'f')}: ${o.from.replace(/</, '\r\n <')}` : `${h('From', 'f')}: ${o.from}`,
    `${h('Call-ID', 'i')}: a84b4c76e66710@pc33`,
    'CSeq: 314159 INVITE',
    'Contact: <sip:caller@127.0.0.1>',
    ...(o.pai ? [`P-Asserted-Identity: ${o.pai}`] : []),
    ...(o.context ? [`${CONTEXT_HEADER}: ${o.context}`] : []),
    'Content-Type: application/sdp',
    'Content-Length: 4',
    '',
    'v=0\n',
  ];
  const text = lines.join('\r\n');
  return o.lf ? text.replace(/\r\n/g, '\n') : text;
}

describe('peekInviteNumber', () => {
  it('reads From, P-Asserted-Identity and a transfer context as SIP.js and phone.ts do', () => {
    const cases = [
      { from: '"Wang Fang" <sip:+8613800138000@pbx.example.com;user=phone>;tag=abc' },
      { from: '<sip:013800138000@pbx>;tag=1', pai: '"Trunk" <tel:+8613911112222>' },
      { from: 'sip:1795113800138000@pbx;tag=2', compact: true },
      { from: '"A" <sip:88886666@pbx>;tag=3', fold: true },
      { from: '<sip:anonymous@anonymous.invalid>;tag=4' },
      { from: '<sip:+8613800138000@pbx>;tag=5', context: '01JABCDEFGHJKMNPQRSTVWXYZ0;ani=%2B8613711112222;customer=c-1' },
      { from: '"<img src=x onerror=alert(1)>" <sip:%2B8613800138000@pbx>;tag=6' },
    ];
    for (const c of cases) {
      const raw = invite(c);
      expect(popNumberBySipJs(raw), JSON.stringify(c)).toBeDefined();
      expect(peekInviteNumber(raw), JSON.stringify(c)).toBe(popNumberBySipJs(raw));
    }
  });

  it('gives nothing for a re-INVITE (To tag), a response, or no header end', () => {
    expect(peekInviteNumber(invite({ from: '<sip:+8613800138000@pbx>;tag=1', to: '<sip:1001@127.0.0.1>;tag=xyz' }))).toBeUndefined();
    expect(peekInviteNumber('SIP/2.0 200 OK\r\nFrom: <sip:+8613800138000@pbx>\r\n\r\n')).toBeUndefined();
    expect(peekInviteNumber('INVITE sip:1001@h SIP/2.0\r\nFrom: <sip:+8613800138000@pbx>;tag=1\r\nTo: <sip:1001@h>')).toBeUndefined();
    expect(peekInviteNumber(`INVITE sip:1001@h SIP/2.0\r\nX-Junk: ${'a'.repeat(40_000)}\r\n\r\n`)).toBeUndefined();
  });

  it('agrees with SIP.js on random callers (numbers, names, quoting, compact and folded headers, line ends)', () => {
    const user = fc.oneof(fc.stringMatching(/^\+?\d{3,16}$/), fc.constantFrom('anonymous', 'caller', '%2B8613800138000'));
    const name = fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9 ]{1,20}$/).map((n) => `"${n}" `), fc.constant('"王 芳" '));
    fc.assert(
      fc.property(user, name, fc.option(user), fc.boolean(), fc.boolean(), fc.boolean(), (u, n, pai, compact, fold, lf) => {
        const raw = invite({ from: `${n}<sip:${u}@pbx.example.com>;tag=t1`, ...(pai ? { pai: `<sip:${pai}@trunk>` } : {}), compact, fold, lf });
        const bySipJs = popNumberBySipJs(raw);
        fc.pre(bySipJs !== undefined);
        expect(peekInviteNumber(raw)).toBe(bySipJs);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on hostile bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), (s) => {
        peekInviteNumber(`INVITE ${s}`);
        peekInviteNumber(s);
      }),
      { numRuns: 2000 },
    );
  });
});
