// Call quality: the E-model simplification and reading getStats reports.
import { describe, expect, it } from 'vitest';
import { eModel, mosFromR, qualityFrom, ratingFromR, readStats, type RawStats } from '../../../renderer/phone/quality';

describe('E-model', () => {
  it('maps R to MOS as G.107 Annex B (with its clamps)', () => {
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(100)).toBe(4.5);
    expect(mosFromR(93.2)).toBeCloseTo(4.41, 2);
    expect(mosFromR(80)).toBeCloseTo(4.02, 2);
    expect(mosFromR(70)).toBeCloseTo(3.6, 2);
    expect(mosFromR(50)).toBeCloseTo(2.58, 2);
  });

  it('a perfect network scores the narrowband maximum; delay past 177.3 ms and loss cost', () => {
    expect(eModel(0, 0)).toEqual({ r: 93.2, mos: mosFromR(93.2) });
    expect(eModel(100, 0).r).toBeCloseTo(93.2 - 2.4, 5);
    expect(eModel(300, 0).r).toBeCloseTo(93.2 - 7.2 - 0.11 * (300 - 177.3), 5);
    expect(eModel(0, 5).r).toBeCloseTo(93.2 - (95 * 5) / (5 + 25.1), 5);
    expect(eModel(40, 1).mos).toBeGreaterThan(eModel(40, 5).mos);
    expect(eModel(400, 20).mos).toBeLessThan(3);
  });

  it('rates by G.107 Table B.1 bands', () => {
    expect(ratingFromR(85)).toBe('good');
    expect(ratingFromR(75)).toBe('fair');
    expect(ratingFromR(60)).toBe('poor');
  });
});

/** A getStats report as Chromium gives it (only the fields that matter). */
function report(o: { recv: number; lost: number; jitter: number; jbDelay?: number; jbEmitted?: number; rtt?: number; pairRtt?: number; fractionLost?: number }) {
  return [
    { id: 'IT01A', type: 'inbound-rtp', kind: 'audio', packetsReceived: o.recv, packetsLost: o.lost, jitter: o.jitter, codecId: 'CIT01_111', jitterBufferDelay: o.jbDelay, jitterBufferEmittedCount: o.jbEmitted },
    { id: 'CIT01_111', type: 'codec', mimeType: 'audio/opus' },
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' },
    { id: 'CP1', type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: o.pairRtt },
    ...(o.rtt !== undefined ? [{ id: 'RI1', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: o.rtt, fractionLost: o.fractionLost ?? 0 }] : []),
    { id: 'OT01A', type: 'outbound-rtp', kind: 'audio', packetsSent: 100 },
  ];
}

describe('reading stats', () => {
  it('takes audio inbound counters, the codec, RTCP round trip (else the candidate pair)', () => {
    const a = readStats(report({ recv: 500, lost: 5, jitter: 0.004, rtt: 0.08, pairRtt: 0.002 }), 1000);
    expect(a).toMatchObject({ at: 1000, packetsReceived: 500, packetsLost: 5, jitterS: 0.004, rttS: 0.08, codec: 'opus' });
    const b = readStats(report({ recv: 500, lost: 0, jitter: 0, pairRtt: 0.002 }), 1000);
    expect(b?.rttS).toBe(0.002);
    expect(readStats([{ id: 'x', type: 'outbound-rtp', kind: 'audio' }], 0)).toBeUndefined();
  });

  it('loss is measured over the interval, not since the call began', () => {
    const prev = readStats(report({ recv: 1000, lost: 100, jitter: 0.002, rtt: 0.02 }), 0) as RawStats;
    const cur = readStats(report({ recv: 1100, lost: 100, jitter: 0.002, rtt: 0.02 }), 2000) as RawStats;
    expect(qualityFrom(undefined, prev).lossPct).toBeCloseTo(9.1, 1);
    expect(qualityFrom(prev, cur)).toMatchObject({ lossPct: 0, jitterMs: 2, rttMs: 20, rating: 'good', codec: 'opus' });
  });

  it('uses the far end’s reported loss when it is worse, and the jitter buffer’s real delay', () => {
    // 2 s at 48 kHz: 96,000 samples emitted, each after 40 ms in the buffer
    const prev = readStats(report({ recv: 100, lost: 0, jitter: 0.01, jbDelay: 100, jbEmitted: 10_000, rtt: 0.3 }), 0) as RawStats;
    const cur = readStats(report({ recv: 200, lost: 0, jitter: 0.01, jbDelay: 100 + 3840, jbEmitted: 106_000, rtt: 0.3, fractionLost: 0.1 }), 2000) as RawStats;
    const q = qualityFrom(prev, cur);
    expect(q.lossPct).toBe(10);
    // delay = 150 (RTT/2) + 40 (buffer) + 20 (packetisation)
    expect(q.mos).toBeCloseTo(eModel(210, 10).mos, 2);
    expect(q.rating).toBe('poor');
  });
});
