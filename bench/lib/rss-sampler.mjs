// Memory sampling of a server under benchmark.
import { readFileSync } from 'node:fs';

const mb = (kb) => Math.round(kb / 102.4) / 10;

/** Samples a process's resident set size (VmRSS) from /proc every 100 ms. */
export class RssSampler {
  constructor(pid, intervalMs = 100) {
    this.pid = pid;
    this.phase = 'start';
    this.maxKb = 0;
    this.byPhase = {};
    this.windowKb = null;
    this.timer = setInterval(() => this.sample(), intervalMs).unref();
    this.sample();
  }

  sample() {
    let status;
    try {
      status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    } catch {
      return 0;
    }
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    this.maxKb = Math.max(this.maxKb, kb);
    this.byPhase[this.phase] = Math.max(this.byPhase[this.phase] ?? 0, kb);
    if (this.windowKb !== null) this.windowKb = Math.max(this.windowKb, kb);
    return kb;
  }

  enter(phase) {
    this.sample();
    this.phase = phase;
  }

  /** Runs `task`, returning its value with the RSS just before it and the peak while it ran (MiB). */
  async around(task) {
    const beforeKb = this.sample();
    this.windowKb = beforeKb;
    try {
      const value = await task();
      this.sample();
      return { value, rssBeforeMb: mb(beforeKb), rssPeakMb: mb(this.windowKb) };
    } finally {
      this.windowKb = null;
    }
  }

  stop() {
    this.sample();
    clearInterval(this.timer);
    return { maxMb: mb(this.maxKb), byPhaseMb: Object.fromEntries(Object.entries(this.byPhase).map(([k, v]) => [k, mb(v)])) };
  }
}
