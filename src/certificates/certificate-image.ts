import { crc32 } from 'node:zlib';

/** The largest seal or logo, per side, in pixels: a scanned seal is a few hundred. */
export const MAX_IMAGE_SIDE = 2000;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A seal or logo a PDF thread can decode safely: a PNG whose every chunk is whole (lengths
 * within the file, CRCs right, IHDR first, IEND last) or a JPEG with a frame header, at most
 * MAX_IMAGE_SIDE pixels a side (a small file can claim a huge picture: decoding it would eat a
 * thread's memory, and a chunk length past the end sends the PNG decoder into a loop).
 * Undefined when it is neither.
 */
export function certificateImageType(bytes: Buffer): 'image/png' | 'image/jpeg' | undefined {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return pngOk(bytes) ? 'image/png' : undefined;
  if (bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegOk(bytes) ? 'image/jpeg' : undefined;
  return undefined;
}

function pngOk(b: Buffer): boolean {
  let at = 8;
  let first = true;
  while (at + 12 <= b.length) {
    const length = b.readUInt32BE(at);
    if (length > b.length - at - 12) return false;
    const type = b.toString('latin1', at + 4, at + 8);
    const data = b.subarray(at + 8, at + 8 + length);
    if (crc32(b.subarray(at + 4, at + 8 + length)) !== b.readUInt32BE(at + 8 + length)) return false;
    if (first) {
      if (type !== 'IHDR' || length !== 13) return false;
      const width = data.readUInt32BE(0);
      const height = data.readUInt32BE(4);
      if (width === 0 || height === 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) return false;
      first = false;
    }
    at += 12 + length;
    if (type === 'IEND') return at === b.length;
  }
  return false;
}

function jpegOk(b: Buffer): boolean {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return false;
    const marker = b[at + 1];
    if (marker === 0xd9 || marker === 0xda) return false; // end or scan before any frame header
    const length = b.readUInt16BE(at + 2);
    if (length < 2 || at + 2 + length > b.length) return false;
    // SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC): the frame header with the picture's size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 7) return false;
      const height = b.readUInt16BE(at + 5);
      const width = b.readUInt16BE(at + 7);
      return width > 0 && height > 0 && width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE;
    }
    at += 2 + length;
  }
  return false;
}
