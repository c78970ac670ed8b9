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
  /** Elements that could run or fetch something, as `<tag> outerHTML…`, in the order attached. */
  suspicious: string[];
  cspViolations: string[];
}

declare global {
  interface Window {
    lianluoProbe?: ProbeApi;
  }
}

const probe: ProbeApi = {
  suspicious: [],
  cspViolations: [],
  async remoteTones(ms, freqs) {
    const streams = [...document.querySelectorAll<HTMLAudioElement>('audio[data-lianluo="remote-audio"]')].flatMap((el) => (el.srcObject instanceof MediaStream ? [el.srcObject] : []));
    return streams.length ? detectTones(streams, ms, freqs) : null;
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
