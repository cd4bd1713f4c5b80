/**
 * Watches the raw bytes a client sends and reports the first data frame whose payload exceeds the
 * limit. `ws` only knows a message limit (maxPayload, across fragments); API Gateway also limits each
 * frame, so frame headers are read here, before `ws` parses the same bytes.
 */
export class FrameSizeGuard {
  private header = Buffer.alloc(0);
  /** Payload bytes of the current frame still to skip. */
  private remaining = 0;
  private tripped = false;

  constructor(
    private readonly limitBytes: number,
    private readonly onOversize: (frameBytes: number) => void,
  ) {}

  inspect(chunk: Buffer): void {
    let offset = 0;
    while (!this.tripped && offset < chunk.length) {
      if (this.remaining > 0) {
        const skipped = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= skipped;
        offset += skipped;
        continue;
      }
      const needed = this.headerLength();
      const take = Math.min(needed - this.header.length, chunk.length - offset);
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.header.length === this.headerLength()) this.completeHeader();
    }
  }

  /** Bytes of the current frame's header, as far as the bytes seen so far tell. */
  private headerLength(): number {
    if (this.header.length < 2) return 2;
    const second = this.header[1] as number;
    const lengthCode = second & 0x7f;
    const extended = lengthCode === 126 ? 2 : lengthCode === 127 ? 8 : 0;
    const mask = second & 0x80 ? 4 : 0;
    return 2 + extended + mask;
  }

  private completeHeader(): void {
    const opcode = (this.header[0] as number) & 0x0f;
    const lengthCode = (this.header[1] as number) & 0x7f;
    const length =
      lengthCode === 126
        ? this.header.readUInt16BE(2)
        : lengthCode === 127
          ? Number(this.header.readBigUInt64BE(2))
          : lengthCode;
    this.header = Buffer.alloc(0);
    this.remaining = length;
    // Opcodes 0-2 carry data (continuation, text, binary); control frames are limited to 125 bytes anyway.
    if (opcode <= 2 && length > this.limitBytes) {
      this.tripped = true;
      this.onOversize(length);
    }
  }
}
