// The ringtone: synthesised with WebAudio (no asset to load, nothing to decode when a call arrives),
// in the Chinese ring cadence: 450 Hz, 1 s on, 4 s off. Issue 5 routes it to a separate ringer device.

export class Ringtone {
  private ctx: AudioContext | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private gain: GainNode | undefined;

  get ringing(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    const ctx = (this.ctx ??= new AudioContext());
    void ctx.resume().catch(() => undefined);
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    const osc = ctx.createOscillator();
    osc.frequency.value = 450;
    osc.connect(gain);
    osc.start();
    this.gain = gain;
    const burst = () => {
      const t = ctx.currentTime;
      gain.gain.cancelScheduledValues(t);
      gain.gain.setValueAtTime(0, t);
      gain.gain.linearRampToValueAtTime(0.25, t + 0.02);
      gain.gain.setValueAtTime(0.25, t + 1);
      gain.gain.linearRampToValueAtTime(0, t + 1.02);
    };
    burst();
    this.timer = setInterval(burst, 5000);
    this.stopOsc = () => {
      osc.stop();
      osc.disconnect();
      gain.disconnect();
    };
  }

  private stopOsc: (() => void) | undefined;

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopOsc?.();
    this.stopOsc = undefined;
    this.gain = undefined;
  }
}
