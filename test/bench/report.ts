// The benchmark report: .bench/latest.json, one line per metric on stdout, the machine noted.
import { cpus, freemem, loadavg, totalmem, release, platform } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Metric {
  value: number;
  unit: string;
  budget: number;
  /** 'max': value must be ≤ budget; 'min': value must be ≥ budget. */
  kind: 'max' | 'min';
  ok: boolean;
  detail?: Record<string, unknown>;
}

export interface BenchContext {
  customers: number;
  log(msg: string): void;
  metric(name: string, value: number, unit: string, budget: number, kind: 'max' | 'min', detail?: Record<string, unknown>): void;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const v = s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] as number;
  return Math.round(v * 10_000) / 10_000;
}

export function machine(): string {
  const c = cpus();
  return `${c[0]?.model ?? 'unknown cpu'} × ${c.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB RAM (${Math.round(freemem() / 2 ** 30)} GiB free), ${platform()} ${release()}, Node ${process.version}`;
}

/** 1-minute load average: percentiles on 2 cores mean little when other work is running, so it is noted. */
export const load = () => Math.round((loadavg()[0] ?? 0) * 100) / 100;

export function writeReport(dir: string, metrics: Record<string, Metric>, notes: string[], loadAtStart: number): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  const report = { machine: machine(), at: new Date().toISOString(), load: { start: loadAtStart, end: load() }, metrics, notes };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
