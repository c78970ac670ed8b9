// The plain-SIP side of the rig: a PSTN-style caller (sipp over UDP, PCMU RTP through rtpengine), a
// packet capture of the RTP it receives (tcpdump, decoded here: pcap → RTP → mu-law → Goertzel), and
// rtpengine's DTMF event log (JSON over UDP).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RIG } from './rig';

// ---------------------------------------------------------------- sipp

export interface SippCall {
  child: ChildProcess;
  /** Everything sipp printed. */
  output(): string;
  /** Resolves with sipp's exit code (0: the call completed as scripted). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface PstnCallOptions {
  /** The agent's SIP user, e.g. 1001. */
  target: string;
  /** From user as the trunk writes it, URI-escaped (0086%2010%208888%206666). */
  fromUser: string;
  fromName: string;
  /** A whole P-Asserted-Identity header line, or none. */
  pai?: string;
  /** Raw 8 kHz mu-law tone the caller plays once answered. */
  tone: string;
  /** Local SIP port (several sipp processes may run at once). */
  sipPort: number;
  /** Local RTP port. */
  mediaPort: number;
  timeoutS: number;
  logDir: string;
}

export function pstnCall(o: PstnCallOptions): SippCall {
  const args = [
    '127.0.0.1:5060',
    '-sf', join(RIG, 'sipp/pstn-caller.xml'),
    '-s', o.target,
    '-i', '127.0.0.1',
    '-p', String(o.sipPort),
    '-mp', String(o.mediaPort),
    '-m', '1',
    '-nostdin',
    '-timeout', `${o.timeoutS}s`,
    '-timeout_error',
    '-key', 'from_user', o.fromUser,
    '-key', 'from_name', o.fromName,
    '-key', 'pai', o.pai ?? 'X-Trunk: plain',
    '-trace_err',
    '-error_file', join(o.logDir, `sipp-${o.sipPort}-errors.log`),
  ];
  copyFileSync(o.tone, join(o.logDir, 'pstn-tone.ulaw')); // the scenario streams it from its working directory
  const child = spawn('sipp', args, { cwd: o.logDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    },
  };
}

// ---------------------------------------------------------------- capture and decoding

export interface Capture {
  stop(): Promise<Buffer>;
}

/** Capture UDP to a port on loopback with tcpdump (we are root in the test namespace). */
export async function captureUdp(port: number, file: string): Promise<Capture> {
  const child = spawn('tcpdump', ['-i', 'lo', '-U', '-n', '-w', file, 'udp', 'and', 'dst', 'port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  // tcpdump says "listening on lo" once the capture runs.
  await new Promise<void>((ok, ko) => {
    const t = setTimeout(() => ko(new Error(`tcpdump did not start: ${err}`)), 5000);
    child.stderr?.on('data', () => {
      if (/listening on/.test(err)) {
        clearTimeout(t);
        ok();
      }
    });
    child.once('exit', (c) => {
      clearTimeout(t);
      ko(new Error(`tcpdump exited ${c}: ${err}`));
    });
  });
  return {
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      return readFileSync(file);
    },
  };
}

export interface RtpPacket {
  pt: number;
  marker: boolean;
  seq: number;
  payload: Buffer;
}

/** UDP payloads of a pcap file (Ethernet, Linux cooked v1/v2 or raw IPv4 link types). */
export function udpPayloads(pcap: Buffer): Buffer[] {
  if (pcap.length < 24) return [];
  const magic = pcap.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && pcap.readUInt32BE(0) !== 0xa1b2c3d4 && pcap.readUInt32BE(0) !== 0xa1b23c4d) throw new Error('not a pcap file');
  const u32 = (o: number) => (le ? pcap.readUInt32LE(o) : pcap.readUInt32BE(o));
  const link = u32(20);
  const linkHeader = link === 1 ? 14 : link === 113 ? 16 : link === 276 ? 20 : link === 101 ? 0 : -1;
  if (linkHeader < 0) throw new Error(`unsupported pcap link type ${link}`);
  const out: Buffer[] = [];
  for (let o = 24; o + 16 <= pcap.length; ) {
    const incl = u32(o + 8);
    const frame = pcap.subarray(o + 16, o + 16 + incl);
    o += 16 + incl;
    const ip = frame.subarray(linkHeader);
    if (ip.length < 20 || ip[0] === undefined || ip[0] >> 4 !== 4 || ip[9] !== 17) continue;
    const ihl = (ip[0] & 0x0f) * 4;
    const udp = ip.subarray(ihl);
    if (udp.length < 8) continue;
    out.push(udp.subarray(8, udp.readUInt16BE(4)));
  }
  return out;
}

export function parseRtp(b: Buffer): RtpPacket | undefined {
  if (b.length < 12 || (b[0] ?? 0) >> 6 !== 2) return undefined;
  const cc = (b[0] ?? 0) & 0x0f;
  const ext = ((b[0] ?? 0) & 0x10) !== 0;
  let off = 12 + cc * 4;
  if (ext) {
    if (b.length < off + 4) return undefined;
    off += 4 + b.readUInt16BE(off + 2) * 4;
  }
  if (b.length < off) return undefined;
  return { pt: (b[1] ?? 0) & 0x7f, marker: ((b[1] ?? 0) & 0x80) !== 0, seq: b.readUInt16BE(2), payload: b.subarray(off) };
}

/** G.711 mu-law byte → linear 16-bit sample. */
export function ulawToLinear(u: number): number {
  const x = ~u & 0xff;
  const sign = x & 0x80;
  const exponent = (x >> 4) & 0x07;
  const mantissa = x & 0x0f;
  const magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
  return sign ? -magnitude : magnitude;
}

/** Share of the signal's power at a frequency (Goertzel over the whole signal), 0–1. */
export function toneShare(samples: Float64Array, rate: number, hz: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const w = (2 * Math.PI * hz) / rate; // generalised Goertzel: the exact frequency, not the nearest bin
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i] ?? 0;
    energy += x * x;
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return energy > 0 ? (2 * power) / (n * energy) : 0;
}

/**
 * What the PCMU RTP in a capture sounds like: packets, and for each tone the median share of its power
 * over the packets that carry sound (20 ms each, so a gap or a glitch in one packet does not blur the rest).
 */
export function pcmuTones(pcap: Buffer, freqs: number[]): { packets: number; voiced: number; shares: Record<number, number> } {
  const packets = udpPayloads(pcap)
    .map(parseRtp)
    .filter((p): p is RtpPacket => !!p && p.pt === 0);
  const frames: Float64Array[] = [];
  for (const p of packets) {
    const f = new Float64Array(p.payload.length);
    let energy = 0;
    for (let i = 0; i < f.length; i++) {
      f[i] = ulawToLinear(p.payload[i] ?? 0xff);
      energy += (f[i] ?? 0) ** 2;
    }
    if (f.length >= 80 && Math.sqrt(energy / f.length) > 100) frames.push(f); // skip silence
  }
  const shares: Record<number, number> = {};
  for (const hz of freqs) {
    const all = frames.map((f) => toneShare(f, 8000, hz)).sort((a, b) => a - b);
    shares[hz] = all.length ? Math.round((all[Math.floor(all.length / 2)] ?? 0) * 1000) / 1000 : 0;
  }
  return { packets: packets.length, voiced: frames.length, shares };
}

// ---------------------------------------------------------------- rtpengine DTMF log

export interface DtmfEvent {
  callid: string;
  event: number;
  duration?: number;
  type?: string;
}

/** rtpengine --dtmf-log-dest sends one JSON object per detected RFC 4733 event. */
export class DtmfLog {
  readonly events: DtmfEvent[] = [];
  private constructor(private readonly socket: Socket) {}

  static async listen(port = 5999): Promise<DtmfLog> {
    const socket = createSocket('udp4');
    const log = new DtmfLog(socket);
    socket.on('message', (m) => {
      try {
        const e = JSON.parse(m.toString()) as DtmfEvent;
        if (typeof e.event === 'number') log.events.push(e);
      } catch {
        /* not ours */
      }
    });
    await new Promise<void>((ok) => socket.bind(port, '127.0.0.1', ok));
    return log;
  }

  /** The digits seen, in order, each once (rtpengine reports an event more than once). */
  digits(since = 0): string {
    const names = '0123456789*#ABCD';
    let out = '';
    let last = -1;
    for (const e of this.events.slice(since)) {
      if (e.event === last) continue;
      last = e.event;
      out += names[e.event] ?? '?';
    }
    return out;
  }

  close(): Promise<void> {
    return new Promise((ok) => this.socket.close(() => ok()));
  }
}
