/**
 * Equal-sized buffers handed out and given back, so large downloads allocate nothing per chunk:
 * a fresh buffer per chunk makes V8 run full collections for the external memory alone, which
 * halved large-download throughput. Keeps at most `maxIdle` buffers between uses. With a
 * `maxReserved` bound, callers reserve the buffers they will hold at once before taking them, so
 * the memory the pool lends stays bounded.
 */
export class BufferPool {
  private readonly idle: Buffer[] = [];
  private reserved = 0;

  constructor(
    readonly bufferBytes: number,
    private readonly maxIdle: number,
    private readonly maxReserved = Infinity,
  ) {}

  /**
   * Reserves `count` buffers to be out at once; false (and nothing reserved) when that would
   * pass the pool's bound. A reservation is released whatever became of its buffers.
   */
  reserve(count: number): boolean {
    if (this.reserved + count > this.maxReserved) return false;
    this.reserved += count;
    return true;
  }

  release(count: number): void {
    this.reserved = Math.max(0, this.reserved - count);
  }

  /** A buffer of {@link bufferBytes} with undefined content. */
  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  /** Returns a buffer from {@link take}; the caller must no longer use it. */
  give(buffer: Buffer): void {
    if (this.idle.length < this.maxIdle) this.idle.push(buffer);
  }
}
