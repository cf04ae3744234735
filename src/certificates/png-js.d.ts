/** png-js (PDFKit's PNG reader) ships no types: the part certificate.layout.ts uses. */
declare module 'png-js' {
  class PNG {
    constructor(data: Uint8Array);
    width: number;
    height: number;
    bits: number;
    /** Decodes to RGBA, 8 bits per channel (palettes and transparency applied); calls back once done. */
    decode(fn: (pixels: Uint8Array) => void): void;
  }
  export = PNG;
}
