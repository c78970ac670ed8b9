// What gets dialled: typed input as typed, records and links the way the site's PBX dials them.
import { describe, expect, it } from 'vitest';
import { DialInputError, dialDigits, dialTarget } from '../../../renderer/phone/dial';

const CN = { defaultRegion: 'CN', localAreaCode: '10', outsideLinePrefix: '' };
const CN9 = { ...CN, outsideLinePrefix: '9' };
const D = 'pbx.example.com';

describe('dialDigits (records and links)', () => {
  it.each([
    ['+8613800138000', CN, '13800138000'],
    ['+861088886666', CN, '01088886666'],
    ['+86 10 8888 6666', CN, '01088886666'],
    ['+14155550123', CN, '0014155550123'],
    ['+85251234567', CN, '0085251234567'],
    ['+8613800138000', CN9, '913800138000'],
    ['+14155550123', { ...CN, defaultRegion: 'US' }, '0118613800138000'.replace('0118613800138000', '14155550123')],
    ['+8613800138000', { ...CN, defaultRegion: 'US' }, '0118613800138000'],
    ['13800138000', CN, '13800138000'],
  ])('%s from %o → %s', (input, plan, want) => {
    expect(dialDigits(input, plan)).toBe(want);
  });
});

describe('dialTarget', () => {
  it('dials typed input as typed, separators removed', () => {
    expect(dialTarget('010-8888 6666', 'typed', CN9, D)).toEqual({ uri: `sip:01088886666@${D}`, number: '01088886666' });
    expect(dialTarget('1002', 'typed', CN9, D)).toEqual({ uri: `sip:1002@${D}`, number: '1002' });
    expect(dialTarget('＋８６ １３８', 'typed', CN, D).number).toBe('+86138');
    expect(dialTarget('*72#', 'typed', CN, D).uri).toBe(`sip:*72%23@${D}`);
    expect(dialTarget('queue.sales', 'typed', CN, D)).toEqual({ uri: `sip:queue.sales@${D}`, number: 'queue.sales' });
  });

  it('converts a record number for the PBX, and keeps E.164 for the pop', () => {
    expect(dialTarget('+8613800138000', 'record', CN9, D)).toEqual({ uri: `sip:913800138000@${D}`, number: '+8613800138000' });
  });

  it('reads tel: and callto: links (parameters dropped) and sip: links (kept as addresses)', () => {
    expect(dialTarget('tel:+86-10-8888-6666;phone-context=example.com', 'link', CN, D)).toEqual({ uri: `sip:01088886666@${D}`, number: '+861088886666' });
    expect(dialTarget('callto://+8613800138000', 'link', CN, D).uri).toBe(`sip:13800138000@${D}`);
    expect(dialTarget('tel:%2B8613800138000', 'typed', CN, D).number).toBe('+8613800138000');
    expect(dialTarget('sip:1002@other.example.com', 'link', CN, D)).toEqual({ uri: 'sip:1002@other.example.com', number: '1002' });
    expect(dialTarget('SIPS:alice@pbx.example.com', 'typed', CN, D).uri).toBe('sips:alice@pbx.example.com');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['tel:', 'empty'],
    ['sip:1002@host;transport=tcp?X-Evil=1', 'invalid'],
    ['sip:<script>@x', 'invalid'],
    ['javascript:alert(1)', 'invalid'],
    ['tel:+86 abc', 'invalid'],
    ['1'.repeat(40), 'invalid'],
    ['x'.repeat(600), 'invalid'],
    ['queue sales; drop', 'invalid'],
  ])('refuses %j (%s)', (input, code) => {
    try {
      dialTarget(input, 'typed', CN, D);
      expect.unreachable('should throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DialInputError);
      expect((e as DialInputError).code).toBe(code);
    }
  });

  it('a typed SIP user is not allowed from a link (links are numbers or SIP addresses)', () => {
    expect(() => dialTarget('tel:queue.sales', 'link', CN, D)).toThrow(DialInputError);
  });
});
