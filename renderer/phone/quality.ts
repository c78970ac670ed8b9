// Call quality from WebRTC getStats: jitter, packet loss, round-trip time and a MOS estimate. Pure: the
// phone samples the peer connection every few seconds and passes the reports here.
//
// MOS: a simplification of the ITU-T G.107 E-model (the approach of Cole & Rosenbluth, "Voice over IP
// performance monitoring", ACM SIGCOMM CCR 31(2), 2001), on G.107's narrowband scale:
//   d       = RTT/2 + jitter-buffer delay + 20 ms packetisation           (one-way mouth-to-ear delay, ms)
//   Id      = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3)                      (Cole & Rosenbluth, delay impairment)
//   Ie_eff  = Ie + (95 − Ie) · Ppl / (Ppl + Bpl)                           (G.107 §7.4, random loss, BurstR = 1)
//   R       = 93.2 − Id − Ie_eff                                          (93.2 = R0 − Is with G.107 defaults, A = 0)
//   MOS     = 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶, 1 below R = 0, 4.5 above R = 100  (G.107 Annex B)
// Ie = 0 and Bpl = 25.1 (G.711 with packet-loss concealment, ITU-T G.113 Appendix I) are used for every
// codec: G.113 has no narrowband values for Opus, which conceals loss at least as well. Ppl is the worse
// of the two directions' loss. Ratings follow G.107 Table B.1: R ≥ 80 "satisfied" (MOS ≥ 4.03) is good,
// R ≥ 70 (MOS ≥ 3.60) fair, below that poor.

export interface CallQuality {
  /** Epoch ms of the sample. */
  at: number;
  /** Interarrival jitter of the audio we receive, ms. */
  jitterMs: number;
  /** Packet loss, %, the worse direction over the last interval. */
  lossPct: number;
  /** Round-trip time, ms (RTCP, else the ICE candidate pair); null before the first measurement. */
  rttMs: number | null;
  /** Estimated mean opinion score, 1–4.5. */
  mos: number;
  rating: 'good' | 'fair' | 'poor';
  codec?: string;
}

/** The numbers we keep from one getStats report (cumulative counters as the browser gives them). */
export interface RawStats {
  at: number;
  packetsReceived: number;
  packetsLost: number;
  jitterS: number;
  jitterBufferDelayS?: number;
  jitterBufferEmitted?: number;
  /** Loss the far end reports for what we send (RTCP receiver report), 0–1. */
  remoteFractionLost?: number;
  rttS?: number;
  codec?: string;
}

type Stat = Record<string, unknown> & { type?: unknown; id?: unknown };
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Pick the audio numbers out of an RTCStatsReport (or any iterable of stats objects). */
export function readStats(report: Iterable<Stat>, at: number): RawStats | undefined {
  const all = [...report];
  const byId = new Map(all.map((s) => [String(s.id), s]));
  const inbound = all.find((s) => s.type === 'inbound-rtp' && (s.kind === 'audio' || s.mediaType === 'audio'));
  if (!inbound) return undefined;
  const remoteIn = all.find((s) => s.type === 'remote-inbound-rtp' && (s.kind === 'audio' || s.mediaType === 'audio'));
  const transport = all.find((s) => s.type === 'transport');
  const pair =
    (transport && byId.get(String(transport.selectedCandidatePairId))) ??
    all.find((s) => s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated === true);
  const codec = byId.get(String(inbound.codecId));
  const rtt = num(remoteIn?.roundTripTime) ?? num(pair?.currentRoundTripTime);
  const jbDelay = num(inbound.jitterBufferDelay);
  const jbEmitted = num(inbound.jitterBufferEmittedCount);
  const remoteLost = num(remoteIn?.fractionLost);
  const mime = typeof codec?.mimeType === 'string' ? codec.mimeType.replace(/^audio\//i, '') : undefined;
  return {
    at,
    packetsReceived: num(inbound.packetsReceived) ?? 0,
    packetsLost: Math.max(0, num(inbound.packetsLost) ?? 0),
    jitterS: num(inbound.jitter) ?? 0,
    ...(jbDelay !== undefined ? { jitterBufferDelayS: jbDelay } : {}),
    ...(jbEmitted !== undefined ? { jitterBufferEmitted: jbEmitted } : {}),
    ...(remoteLost !== undefined ? { remoteFractionLost: remoteLost } : {}),
    ...(rtt !== undefined ? { rttS: rtt } : {}),
    ...(mime ? { codec: mime } : {}),
  };
}

export const PACKETISATION_MS = 20;
const IE = 0;
const BPL = 25.1;

/** E-model R factor and MOS for a one-way delay (ms) and a packet loss (%). */
export function eModel(delayMs: number, lossPct: number): { r: number; mos: number } {
  const d = Math.max(0, delayMs);
  const ppl = Math.min(100, Math.max(0, lossPct));
  const id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
  const ieEff = IE + ((95 - IE) * ppl) / (ppl + BPL);
  const r = 93.2 - id - ieEff;
  return { r, mos: mosFromR(r) };
}

export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

export function ratingFromR(r: number): CallQuality['rating'] {
  return r >= 80 ? 'good' : r >= 70 ? 'fair' : 'poor';
}

/** Quality over the interval between two samples (or since the call started, for the first one). */
export function qualityFrom(prev: RawStats | undefined, cur: RawStats): CallQuality {
  const dRecv = cur.packetsReceived - (prev?.packetsReceived ?? 0);
  const dLost = cur.packetsLost - (prev?.packetsLost ?? 0);
  const localLoss = dRecv + dLost > 0 && dLost > 0 ? (100 * dLost) / (dRecv + dLost) : 0;
  const remoteLoss = (cur.remoteFractionLost ?? 0) * 100;
  const lossPct = Math.max(localLoss, remoteLoss);
  const jitterMs = cur.jitterS * 1000;
  // Delay the jitter buffer added over the interval (average per emitted sample), else twice the jitter.
  const dDelay = (cur.jitterBufferDelayS ?? 0) - (prev?.jitterBufferDelayS ?? 0);
  const dEmitted = (cur.jitterBufferEmitted ?? 0) - (prev?.jitterBufferEmitted ?? 0);
  const bufferMs = dEmitted > 0 && dDelay >= 0 ? (1000 * dDelay) / dEmitted : 2 * jitterMs;
  const rttMs = cur.rttS !== undefined ? cur.rttS * 1000 : null;
  const delay = (rttMs ?? 0) / 2 + bufferMs + PACKETISATION_MS;
  const { r, mos } = eModel(delay, lossPct);
  const round = (v: number, p = 1) => Math.round(v * 10 ** p) / 10 ** p;
  return {
    at: cur.at,
    jitterMs: round(jitterMs),
    lossPct: round(lossPct),
    rttMs: rttMs === null ? null : round(rttMs),
    mos: round(mos, 2),
    rating: ratingFromR(r),
    ...(cur.codec ? { codec: cur.codec } : {}),
  };
}
