import { crc32 } from 'node:zlib';
import { certificateImageType, MAX_IMAGE_SIDE } from './certificate-image';

function chunk(type: string, data: Buffer, length = data.length): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(width: number, height: number, extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra,
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function jpeg(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xda, 0x00, 0x02, 0xff, 0xd9])]);
}

describe('certificateImageType', () => {
  it('accepts a whole PNG or JPEG of a sensible size', () => {
    expect(certificateImageType(png(240, 240))).toBe('image/png');
    expect(certificateImageType(png(MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))).toBe('image/png');
    expect(certificateImageType(jpeg(800, 600))).toBe('image/jpeg');
  });

  it('refuses a small file claiming a huge picture (a decompression bomb)', () => {
    expect(certificateImageType(png(15000, 15000))).toBeUndefined();
    expect(certificateImageType(png(MAX_IMAGE_SIDE + 1, 10))).toBeUndefined();
    expect(certificateImageType(jpeg(20000, 20000))).toBeUndefined();
  });

  it('refuses a chunk whose length runs past the end (it sends the PNG decoder into a loop)', () => {
    const bad = png(240, 240, [chunk('tEXt', Buffer.from('x'), 0xfffffff4)]);
    expect(certificateImageType(bad)).toBeUndefined();
  });

  it('refuses broken CRCs, a missing IEND, trailing bytes, and files that only start right', () => {
    const good = png(240, 240);
    const crcBroken = Buffer.from(good);
    crcBroken[good.length - 13] ^= 0xff;
    expect(certificateImageType(crcBroken)).toBeUndefined();
    expect(certificateImageType(good.subarray(0, good.length - 12))).toBeUndefined();
    expect(certificateImageType(Buffer.concat([good, Buffer.from('<script>')]))).toBeUndefined();
    expect(certificateImageType(Buffer.from([0xff, 0xd8, 0xff, 0x00]))).toBeUndefined();
    expect(certificateImageType(Buffer.from('GIF89a'))).toBeUndefined();
  });
});
