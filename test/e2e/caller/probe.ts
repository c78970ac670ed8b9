// Test instrumentation loaded into the agent's page before the app (Playwright addInitScript). It does
// not touch the app: it listens to what the page does and to what the agent would hear.
//   - tones in the remote audio element the app plays (<audio data-lianluo="remote-audio">);
//   - every <img>, <iframe>, <object>, <embed> element attached, and every <script> attached after
//     the page loaded; every Content-Security-Policy violation (an injected inline handler such as
//     onerror=alert(1) raises one). Tests compare these lists before and after a hostile call.
import { detectTones, type ToneReport } from './tones';

export interface ProbeApi {
  /** Tones in everything the app plays as call audio (every call's element, mixed). */
  remoteTones(ms?: number, freqs?: number[]): Promise<ToneReport | null>;
  /** How many call-audio elements are attached, and their output device (sinkId). */
  audioElements(): { count: number; sinks: string[] };
  /**
   * Click the ringing call's Answer button and time until the caller's tone (hz) is heard in the call audio,
   * polling a WebAudio analyser every 5 ms (the call.answer_to_audio_ms benchmark). Rejects after timeoutMs.
   */
  answerToTone(hz: number, timeoutMs?: number): Promise<number>;
  /** Elements that could run or fetch something, as `<tag> outerHTML…`, in the order attached. */
  suspicious: string[];
  cspViolations: string[];
}

declare global {
  interface Window {
    lianluoProbe?: ProbeApi;
  }
}

let answerCtx: AudioContext | undefined;

const probe: ProbeApi = {
  suspicious: [],
  cspViolations: [],
  async remoteTones(ms, freqs) {
    const streams = [...document.querySelectorAll<HTMLAudioElement>('audio[data-lianluo="remote-audio"]')].flatMap((el) => (el.srcObject instanceof MediaStream ? [el.srcObject] : []));
    return streams.length ? detectTones(streams, ms, freqs) : null;
  },
  async answerToTone(hz, timeoutMs = 5000) {
    const button = [...document.querySelectorAll<HTMLButtonElement>('[data-testid="call-panel"] button')].find((b) => b.textContent?.trim() === 'Answer');
    if (!button) throw new Error('no Answer button on screen');
    const ctx = (answerCtx ??= new AudioContext({ sampleRate: 48000 }));
    if (ctx.state !== 'running') await ctx.resume();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    analyser.smoothingTimeConstant = 0;
    const bins = new Float32Array(analyser.frequencyBinCount);
    const binHz = ctx.sampleRate / analyser.fftSize;
    const at = Math.round(hz / binHz);
    const t0 = performance.now();
    button.click();
    let source: MediaStreamAudioSourceNode | undefined;
    try {
      while (performance.now() - t0 < timeoutMs) {
        await new Promise((r) => setTimeout(r, 5));
        if (!source) {
          const el = document.querySelector<HTMLAudioElement>('audio[data-lianluo="remote-audio"]');
          if (!(el?.srcObject instanceof MediaStream) || !el.srcObject.getAudioTracks().length) continue;
          source = ctx.createMediaStreamSource(el.srcObject);
          source.connect(analyser);
        }
        analyser.getFloatFrequencyData(bins);
        const sorted = [...bins].sort((a, b) => a - b);
        const floor = sorted[Math.floor(sorted.length / 2)] ?? -300;
        let loudest = -Infinity;
        for (let i = Math.ceil(100 / binHz); i < 4000 / binHz; i++) loudest = Math.max(loudest, bins[i] ?? -Infinity);
        const level = Math.max(bins[at - 1] ?? -300, bins[at] ?? -300, bins[at + 1] ?? -300);
        if (level - floor >= 30 && level >= loudest - 3) return performance.now() - t0;
      }
      throw new Error(`${hz} Hz not heard within ${timeoutMs} ms of Answer`);
    } finally {
      source?.disconnect();
    }
  },
  audioElements() {
    const els = [...document.querySelectorAll<HTMLAudioElement & { sinkId?: string }>('audio[data-lianluo="remote-audio"]')];
    return { count: els.length, sinks: els.map((e) => e.sinkId ?? '') };
  },
};
window.lianluoProbe = probe;

const SELECTOR = 'img,iframe,object,embed,script';
let loaded = false;
window.addEventListener('load', () => (loaded = true));
const record = (el: Element) => {
  if (el.tagName === 'SCRIPT' && !loaded) return; // the app's own bundle
  probe.suspicious.push(el.outerHTML.slice(0, 120));
};
const note = (n: Node) => {
  if (!(n instanceof Element)) return;
  if (n.matches(SELECTOR)) record(n);
  n.querySelectorAll(SELECTOR).forEach(record);
};
new MutationObserver((records) => {
  for (const r of records) r.addedNodes.forEach(note);
}).observe(document, { childList: true, subtree: true });
document.addEventListener('securitypolicyviolation', (e) => probe.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
