import { describe, expect, it } from 'vitest';
import { FrameSizeGuard } from '../../../local/gateway/frame-size-guard';

/** A masked client frame, as browsers and `ws` send them. */
const frame = (opcode: number, length: number, fin = true): Buffer => {
  const first = (fin ? 0x80 : 0) | opcode;
  let header: Buffer;
  if (length < 126) header = Buffer.from([first, 0x80 | length]);
  else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, Buffer.from([1, 2, 3, 4]), Buffer.alloc(length, 0x61)]);
};

const inspectAll = (limit: number, chunks: Buffer[]): number[] => {
  const tripped: number[] = [];
  const guard = new FrameSizeGuard(limit, (size) => tripped.push(size));
  for (const chunk of chunks) guard.inspect(chunk);
  return tripped;
};

describe('FrameSizeGuard', () => {
  it('lets frames up to the limit through, whatever their length encoding', () => {
    // Prepare
    const frames = [frame(1, 100), frame(1, 1000), frame(2, 32 * 1024), frame(0, 70_000 - 37_232)];

    // Act
    const tripped = inspectAll(32 * 1024, [Buffer.concat(frames)]);

    // Assess
    expect(tripped).toEqual([]);
  });

  it('reports the first data frame over the limit with its size', () => {
    // Prepare
    const chunks = [Buffer.concat([frame(1, 10), frame(1, 32 * 1024 + 1), frame(1, 40_000)])];

    // Act
    const tripped = inspectAll(32 * 1024, chunks);

    // Assess
    expect(tripped).toEqual([32 * 1024 + 1]);
  });

  it('reads frame headers split across chunks, down to one byte per chunk', () => {
    // Prepare
    const bytes = Buffer.concat([frame(1, 200), frame(2, 70_000)]);
    const chunks = [...bytes.subarray(0, 300)].map((byte) => Buffer.from([byte]));
    chunks.push(bytes.subarray(300));

    // Act
    const tripped = inspectAll(65_536, chunks);

    // Assess
    expect(tripped).toEqual([70_000]);
  });

  it('judges each fragment of a fragmented message on its own', () => {
    // Prepare: 3 fragments of 30 KB, a 90 KB message of frames under the limit
    const chunks = [frame(1, 30_000, false), frame(0, 30_000, false), frame(0, 30_000, true)];

    // Act
    const tripped = inspectAll(32 * 1024, chunks);

    // Assess
    expect(tripped).toEqual([]);
  });

  it('ignores control frames', () => {
    // Prepare
    const chunks = [frame(9, 125), frame(10, 125), frame(8, 2)];

    // Act
    const tripped = inspectAll(10, chunks);

    // Assess
    expect(tripped).toEqual([]);
  });
});
