// Caller identity from the INVITE: P-Asserted-Identity first, then From; every header hostile text.
import { describe, expect, it } from 'vitest';
import { callerIdentity, MAX_DISPLAY_NAME, MAX_NUMBER, parseNameAddr, type InviteHeaders } from '../../../renderer/phone/identity';

const invite = (headers: Record<string, string>, fromUser?: string, fromDisplayName?: string): InviteHeaders => ({
  header: (name) => headers[name],
  fromUser,
  fromDisplayName,
});
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/;

describe('callerIdentity', () => {
  it('prefers P-Asserted-Identity over From', () => {
    const who = callerIdentity(invite({ 'P-Asserted-Identity': '"China Bank" <sip:+8613800138000@carrier.example;user=phone>' }, '1001', 'Spoofed'));
    expect(who).toEqual({ number: '+8613800138000', displayName: 'China Bank', source: 'pai' });
  });

  it('reads tel: URIs and bare URIs in PAI, and takes the first of several', () => {
    expect(callerIdentity(invite({ 'P-Asserted-Identity': '<tel:+86-138-0013-8000>' }, '1001')).number).toBe('+86-138-0013-8000');
    expect(callerIdentity(invite({ 'P-Asserted-Identity': 'tel:+8613800138000' }, '1001')).number).toBe('+8613800138000');
    expect(callerIdentity(invite({ 'P-Asserted-Identity': '<sip:+8613800138000@a>, <tel:+8613900000000>' }, '1001')).number).toBe('+8613800138000');
  });

  it('keeps the From display name when PAI has none', () => {
    expect(callerIdentity(invite({ 'P-Asserted-Identity': '<sip:+8613800138000@a>' }, '1001', '王芳'))).toEqual({ number: '+8613800138000', displayName: '王芳', source: 'pai' });
  });

  it('falls back to From when PAI is missing or has no user', () => {
    expect(callerIdentity(invite({}, '13800138000', 'Wang'))).toEqual({ number: '13800138000', displayName: 'Wang', source: 'from' });
    expect(callerIdentity(invite({ 'P-Asserted-Identity': '<sip:@carrier>' }, '13800138000')).source).toBe('from');
    expect(callerIdentity(invite({ 'P-Asserted-Identity': '' }, '13800138000')).source).toBe('from');
    expect(callerIdentity(invite({}, undefined, undefined))).toEqual({ number: '', displayName: '', source: 'from' });
  });

  it('unescapes quoted display names', () => {
    expect(callerIdentity(invite({ 'P-Asserted-Identity': '"Wang \\"Boss\\" Fang \\\\ Co" <sip:1@a>' })).displayName).toBe('Wang "Boss" Fang \\ Co');
    expect(parseNameAddr('"a, b" <sip:1@h>, <sip:2@h>')).toEqual({ name: 'a, b', uri: 'sip:1@h' });
    expect(parseNameAddr('Unquoted Name <sip:1@h>')).toEqual({ name: 'Unquoted Name', uri: 'sip:1@h' });
    expect(parseNameAddr('"never closed <sip:1@h>').uri).toBe('');
  });

  it('bounds a hostile 10 KB display name and number', () => {
    const huge = 'A'.repeat(10_000);
    const who = callerIdentity(invite({ 'P-Asserted-Identity': `"${huge}" <sip:${'9'.repeat(10_000)}@a>` }, '1', huge));
    expect(who.displayName.length).toBeLessThanOrEqual(MAX_DISPLAY_NAME);
    expect(who.number.length).toBeLessThanOrEqual(MAX_NUMBER);
    const from = callerIdentity(invite({}, huge, huge));
    expect(from.displayName.length).toBeLessThanOrEqual(MAX_DISPLAY_NAME);
    expect(from.number.length).toBeLessThanOrEqual(MAX_NUMBER);
  });

  it('removes RTL overrides, isolates and zero-width characters', () => {
    const name = 'Invoice\u202Egnp.exe\u2066x\u2069 Wa\u200Bng\u200D Fang\uFEFF';
    const who = callerIdentity(invite({}, '13800138000', name));
    expect(who.displayName).not.toMatch(BIDI);
    expect(who.displayName).not.toMatch(INVISIBLE);
    expect(who.displayName).toBe('Invoicegnp.exex Wang Fang');
    expect(callerIdentity(invite({}, '138\u202E00138000')).number).toBe('13800138000');
  });

  it('keeps markup as literal text (it is rendered as text, never parsed)', () => {
    const who = callerIdentity(invite({ 'P-Asserted-Identity': '"<img src=x onerror=alert(1)>" <sip:+8613800138000@a>' }));
    expect(who.displayName).toBe('<img src=x onerror=alert(1)>');
    const from = callerIdentity(invite({}, '13800138000', `<img src=x onerror=alert(1)>${'x'.repeat(10_000)}\u202E`));
    expect(from.displayName.startsWith('<img src=x onerror=alert(1)>')).toBe(true);
    expect(from.displayName.length).toBeLessThanOrEqual(MAX_DISPLAY_NAME);
  });

  it('collapses control characters and line breaks in names (no header injection on screen)', () => {
    expect(callerIdentity(invite({}, '1', 'Wang\r\nX-Evil: 1\u0000\u0007')).displayName).toBe('Wang X-Evil: 1');
  });
});
