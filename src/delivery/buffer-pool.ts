/**
 * Equal-sized buffers handed out and given back, so large downloads allocate nothing per chunk:
 * a fresh buffer per chunk makes V8 run full collections for the external memory alone, which
 * halved large-download throughput. Keeps at most `maxIdle` buffers between uses.
 */
export class BufferPool {
  private readonly idle: Buffer[] = [];

  constructor(
    readonly bufferBytes: number,
    private readonly maxIdle: number,
  ) {}

  /** A buffer of {@link bufferBytes} with undefined content. */
  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  /** Returns a buffer from {@link take}; the caller must no longer use it. */
  give(buffer: Buffer): void {
    if (this.idle.length < this.maxIdle) this.idle.push(buffer);
  }
}
