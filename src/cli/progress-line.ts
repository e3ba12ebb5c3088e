/** A 30-character progress bar for `done` of `total`. */
export function progressBar(done: number, total: number): string {
  const filled = total === 0 ? 30 : Math.round((done / total) * 30);
  return `[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}]`;
}

/** `1.5 GiB`, `12.0 MiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * One line of progress on a stream: redrawn in place (at most five times a second) on a terminal,
 * and printed at every tenth of the way otherwise (a log keeps a few lines, not thousands).
 */
export class ProgressLine {
  private lastDraw = 0;
  private lastTenth = -1;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream, private readonly label: string) {}

  update(done: number, total: number, detail: string): void {
    const line = `${this.label} ${progressBar(done, total)} ${detail}`;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (done < total && now - this.lastDraw < 200) return;
      this.lastDraw = now;
      this.stream.write(`\r${line}\u001b[K`);
      this.drawn = true;
      return;
    }
    const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    this.stream.write(`${line}\n`);
  }

  /** Ends the line on a terminal. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
