// The ringtone: synthesised with WebAudio (no asset to load, nothing to decode when a call arrives),
// in the Chinese ring cadence: 450 Hz, 1 s on, 4 s off. It plays on the ringer device (AudioContext
// setSinkId), which may differ from the headset, so a call is heard with the headset on the desk.
// While the agent is already on a call, a second call gets a short, quiet call-waiting beep instead.

type SinkContext = AudioContext & { setSinkId?: (id: string) => Promise<void>; sinkId?: string };

export class Ringtone {
  private ctx: SinkContext | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopOsc: (() => void) | undefined;
  private sinkId = '';

  get ringing(): boolean {
    return this.timer !== undefined;
  }

  /** Where to ring ('' : the system default). Applies at once, also while ringing. */
  async setSink(id: string): Promise<void> {
    this.sinkId = id;
    const ctx = this.ctx;
    if (ctx && typeof ctx.setSinkId === 'function' && ctx.sinkId !== id) await ctx.setSinkId(id).catch(() => undefined);
  }

  private context(): SinkContext {
    if (!this.ctx) {
      this.ctx = new AudioContext() as SinkContext;
      if (this.sinkId && typeof this.ctx.setSinkId === 'function') void this.ctx.setSinkId(this.sinkId).catch(() => undefined);
    }
    void this.ctx.resume().catch(() => undefined);
    return this.ctx;
  }

  /** Ring: 'full' on the ringer, or 'waiting' (a soft beep every 5 s) when the agent is on another call. */
  start(kind: 'full' | 'waiting' = 'full'): void {
    if (this.timer) return;
    const ctx = this.context();
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    const osc = ctx.createOscillator();
    osc.frequency.value = kind === 'full' ? 450 : 440;
    osc.connect(gain);
    osc.start();
    const level = kind === 'full' ? 0.25 : 0.06;
    const length = kind === 'full' ? 1 : 0.2;
    const burst = () => {
      const t = ctx.currentTime;
      gain.gain.cancelScheduledValues(t);
      gain.gain.setValueAtTime(0, t);
      gain.gain.linearRampToValueAtTime(level, t + 0.02);
      gain.gain.setValueAtTime(level, t + length);
      gain.gain.linearRampToValueAtTime(0, t + length + 0.02);
    };
    burst();
    this.timer = setInterval(burst, 5000);
    this.stopOsc = () => {
      osc.stop();
      osc.disconnect();
      gain.disconnect();
    };
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopOsc?.();
    this.stopOsc = undefined;
  }

  /** One burst, for "Test ringer" in the device settings. */
  test(): void {
    if (this.timer) return;
    this.start('full');
    setTimeout(() => this.stop(), 1200);
  }
}
