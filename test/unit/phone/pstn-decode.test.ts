// The e2e rig's decoding of what a PSTN caller receives (pcap → RTP → mu-law → Goertzel): checked here
// against a capture built by hand, so a tone check in the end-to-end tests cannot pass by accident.
import { describe, expect, it } from 'vitest';
import { parseRtp, pcmuTones, toneShare, udpPayloads, ulawToLinear } from '../../e2e/lib/pstn';

/** G.711 mu-law encoder (the reference algorithm), to build test payloads. */
function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; exponent--, mask >>= 1);
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function rtp(seq: number, pt: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = pt;
  h.writeUInt16BE(seq, 2);
  h.writeUInt32BE(seq * 160, 4);
  h.writeUInt32BE(0x1234, 8);
  return Buffer.concat([h, payload]);
}

/** A pcap (Ethernet link type) of UDP datagrams to port 6000. */
function pcap(datagrams: Buffer[]): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20);
  const records = datagrams.map((d) => {
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + d.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(30000, 0);
    udp.writeUInt16BE(6000, 2);
    udp.writeUInt16BE(8 + d.length, 4);
    const frame = Buffer.concat([eth, ip, udp, d]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  return Buffer.concat([global, ...records]);
}

const tone = (hz: number, n: number, from = 0) => Buffer.from(Array.from({ length: n }, (_, i) => linearToUlaw(8000 * Math.sin((2 * Math.PI * hz * (from + i)) / 8000))));

describe('PSTN capture decoding', () => {
  it('mu-law decodes to the G.711 levels', () => {
    expect(ulawToLinear(0xff)).toBe(0);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(ulawToLinear(0x00)).toBe(-32124);
    for (const v of [-20000, -1000, 0, 500, 12345]) expect(Math.abs(ulawToLinear(linearToUlaw(v)) - v)).toBeLessThan(Math.max(16, Math.abs(v) * 0.07));
  });

  it('finds a tone in PCMU packets and ignores other payload types and silence', () => {
    const packets = [
      ...Array.from({ length: 50 }, (_, i) => rtp(i, 0, tone(1000, 160, i * 160))),
      ...Array.from({ length: 10 }, (_, i) => rtp(100 + i, 101, Buffer.from([1, 0x8a, 0, 160]))), // telephone-event
      ...Array.from({ length: 10 }, (_, i) => rtp(200 + i, 0, Buffer.alloc(160, 0xff))), // silence
    ];
    const file = pcap(packets);
    expect(udpPayloads(file)).toHaveLength(70);
    expect(parseRtp(udpPayloads(file)[0] as Buffer)).toMatchObject({ pt: 0, seq: 0 });
    const t = pcmuTones(file, [1000, 440]);
    expect(t).toMatchObject({ packets: 60, voiced: 50 });
    expect(t.shares[1000]).toBeGreaterThan(0.95);
    expect(t.shares[440]).toBeLessThan(0.05);
  });

  it('a different tone does not pass for the agent’s', () => {
    const t = pcmuTones(pcap(Array.from({ length: 30 }, (_, i) => rtp(i, 0, tone(440, 160, i * 160)))), [1000, 440]);
    expect(t.shares[1000]).toBeLessThan(0.05);
    expect(t.shares[440]).toBeGreaterThan(0.9);
    const s = new Float64Array(800).map((_, i) => Math.sin((2 * Math.PI * 800 * i) / 8000));
    expect(toneShare(s, 8000, 800)).toBeCloseTo(1, 2);
  });

  it('refuses a file that is not a pcap', () => {
    expect(() => udpPayloads(Buffer.from('not a capture at all, no'))).toThrow(/pcap/);
  });
});
