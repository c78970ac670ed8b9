// Tone detection for the end-to-end tests, running in the browser: which of a few test frequencies
// are present in a MediaStream. Each party's fake microphone plays one sine (see test/rig/make-tones.sh),
// so "the agent hears the caller" becomes "440 Hz is present in the agent's remote audio".

export interface ToneReport {
  /**
   * Frequencies judged present: at least 30 dB over the median floor, within 20 dB of the loudest bin, and
   * at least MIN_DBFS loud. The test tones arrive at about -40 dBFS; a stream going silent (hold) can leave
   * residue 30 dB over a floor near -300 dBFS that is still ~-120 dBFS: nothing anyone hears.
   */
  present: number[];
  /** Level of each asked frequency in dB over the median floor. */
  levels: Record<string, number>;
  /** Level of each asked frequency in dBFS (the analyser's absolute scale). */
  dbfs: Record<string, number>;
  /** Spectra averaged. */
  frames: number;
}

/** Quieter than this is not heard: 30 dB under the test tones as they arrive (about -40 dBFS). */
const MIN_DBFS = -70;

let shared: AudioContext | undefined;

/** Tones in one stream, or in several mixed (what a listener hears from every playing call at once). */
export async function detectTones(stream: MediaStream | MediaStream[], ms = 1500, freqs: readonly number[] = [440, 1000]): Promise<ToneReport> {
  const ctx = (shared ??= new AudioContext({ sampleRate: 48000 }));
  if (ctx.state !== 'running') await ctx.resume();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0;
  const sources = (Array.isArray(stream) ? stream : [stream]).filter((s) => s.getAudioTracks().length > 0).map((s) => ctx.createMediaStreamSource(s));
  for (const source of sources) source.connect(analyser);
  const bins = analyser.frequencyBinCount;
  const power = new Float64Array(bins);
  const frame = new Float32Array(bins);
  let frames = 0;
  const end = performance.now() + ms;
  try {
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      analyser.getFloatFrequencyData(frame);
      for (let i = 0; i < bins; i++) power[i] = (power[i] ?? 0) + 10 ** ((frame[i] ?? -300) / 10);
      frames++;
    }
  } finally {
    for (const source of sources) source.disconnect();
  }
  const binHz = ctx.sampleRate / analyser.fftSize;
  const db = Array.from(power, (p) => 10 * Math.log10(p / Math.max(frames, 1) + 1e-30));
  const floor = [...db].sort((a, b) => a - b)[Math.floor(db.length / 2)] ?? -300;
  const at = (hz: number) => {
    const c = Math.round(hz / binHz);
    return Math.max(...db.slice(c - 2, c + 3));
  };
  let loudest = -Infinity;
  for (let i = Math.ceil(100 / binHz); i < 4000 / binHz; i++) loudest = Math.max(loudest, db[i] ?? -Infinity);
  const levels: Record<string, number> = {};
  const dbfs: Record<string, number> = {};
  const present: number[] = [];
  for (const hz of freqs) {
    const level = at(hz);
    levels[hz] = Math.round((level - floor) * 10) / 10;
    dbfs[hz] = Math.round(level * 10) / 10;
    if (level - floor >= 30 && level >= loudest - 20 && level >= MIN_DBFS) present.push(hz);
  }
  return { present, levels, dbfs, frames };
}
