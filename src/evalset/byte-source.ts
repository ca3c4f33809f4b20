/**
 * Exact-length reads over a stream of Buffers (a file or a gunzip stream), which is all the
 * tar reader needs: read a 512-byte header, hand on or skip N bytes of member data.
 */
export class TruncatedError extends Error {}

export class ByteSource {
  private pending: Buffer = Buffer.alloc(0);
  private readonly iterator: AsyncIterator<Buffer>;
  private done = false;

  constructor(chunks: AsyncIterable<Buffer>) {
    this.iterator = chunks[Symbol.asyncIterator]();
  }

  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.pending = this.pending.length === 0 ? next.value : Buffer.concat([this.pending, next.value]);
    return true;
  }

  /** Exactly `length` bytes; null if the stream ended cleanly before the first byte. */
  async readExactly(length: number): Promise<Buffer | null> {
    while (this.pending.length < length) {
      if (!(await this.pull())) {
        if (this.pending.length === 0) return null;
        throw new TruncatedError(`ended ${length - this.pending.length} bytes early`);
      }
    }
    const result = this.pending.subarray(0, length);
    this.pending = this.pending.subarray(length);
    return result;
  }

  /** Yields exactly `length` bytes in chunks as they arrive. */
  async *take(length: number): AsyncGenerator<Buffer> {
    let remaining = length;
    while (remaining > 0) {
      if (this.pending.length === 0 && !(await this.pull())) {
        throw new TruncatedError(`ended ${remaining} bytes early`);
      }
      const chunk = this.pending.subarray(0, Math.min(remaining, this.pending.length));
      this.pending = this.pending.subarray(chunk.length);
      remaining -= chunk.length;
      yield chunk;
    }
  }

  async skip(length: number): Promise<void> {
    for await (const chunk of this.take(length)) void chunk;
  }

  /** Lets the underlying stream release its resources when we stop early. */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.iterator.return?.();
    }
  }
}
