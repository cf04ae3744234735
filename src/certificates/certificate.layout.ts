/**
 * The certificate's drawing, run in a PDF worker thread (PdfService): a Handlebars template
 * renders an SVG page (A4 landscape) per certificate, and svg-to-pdfkit draws it with the
 * document's Chinese font, so text stays text. Per thread, and kept across documents: the
 * compiled templates, and the seal and logo decoded once (decoding a transparent PNG is
 * about 11 ms, every document). Plain data in; only plain modules of the app imported.
 */
import { deflateSync } from 'node:zlib';
import Handlebars from 'handlebars';
import PNG from 'png-js';
import SVGtoPDF from 'svg-to-pdfkit';
import { TEXT_FONT } from '../common/pdf/pdf.types';
import {
  type CertificateImage,
  type CertificateImageSlot,
  type CertificatePdfData,
  IMAGE_TOKENS,
  TEMPLATE_COMPILE_OPTIONS,
  TEMPLATE_RENDER_ERROR,
} from './certificate-fields';
import { qrPath } from './certificate-qr';

type Doc = PDFKit.PDFDocument;
type Template = HandlebarsTemplateDelegate<Record<string, string>>;

/** PDFKit's image interface, as `doc.image` uses it (its own PNG and JPEG classes have the same shape). */
interface PdfImage {
  label: string;
  width: number;
  height: number;
  orientation?: number;
  obj: unknown;
  embed(doc: Doc): void;
}

/** A PNG decoded once: its colour and alpha planes, deflated, ready to be written into any document. */
interface DecodedPng {
  width: number;
  height: number;
  rgb: Buffer;
  alpha: Buffer | null;
}

const MAX_CACHED = 50;
const templates = new Map<string, Template>();
const pngs = new Map<string, Promise<DecodedPng | null>>();

function compiled(source: string): Template {
  let template = templates.get(source);
  if (!template) {
    if (templates.size >= MAX_CACHED) templates.clear();
    template = Handlebars.compile<Record<string, string>>(source, TEMPLATE_COMPILE_OPTIONS);
    templates.set(source, template);
  }
  return template;
}

/** An 8-bit PNG split into RGB and alpha, deflated; null for what png-js cannot decode to 8 bits (16-bit: PDFKit's own reader then). */
function decodePng(bytes: Uint8Array): Promise<DecodedPng | null> {
  const png = new PNG(bytes);
  if (png.bits > 8) return Promise.resolve(null);
  return new Promise((resolve) =>
    png.decode((rgba) => {
      const n = png.width * png.height;
      const rgb = Buffer.allocUnsafe(n * 3);
      const alpha = Buffer.allocUnsafe(n);
      let opaque = true;
      for (let i = 0; i < n; i++) {
        rgb[i * 3] = rgba[i * 4];
        rgb[i * 3 + 1] = rgba[i * 4 + 1];
        rgb[i * 3 + 2] = rgba[i * 4 + 2];
        alpha[i] = rgba[i * 4 + 3];
        if (alpha[i] !== 255) opaque = false;
      }
      resolve({
        width: png.width,
        height: png.height,
        rgb: deflateSync(rgb),
        alpha: opaque ? null : deflateSync(alpha),
      });
    }),
  );
}

function cachedPng(image: CertificateImage): Promise<DecodedPng | null> {
  let decoded = pngs.get(image.key);
  if (!decoded) {
    if (pngs.size >= MAX_CACHED) pngs.clear();
    decoded = decodePng(image.bytes).catch(() => null);
    pngs.set(image.key, decoded);
  }
  return decoded;
}

/** A decoded PNG as an image of this document: writes the cached planes, decodes nothing. */
function pngImage(slot: string, png: DecodedPng): PdfImage {
  return {
    label: `Icert${slot}`,
    width: png.width,
    height: png.height,
    obj: null,
    embed(doc: Doc) {
      const image = doc.ref({
        Type: 'XObject',
        Subtype: 'Image',
        BitsPerComponent: 8,
        Width: png.width,
        Height: png.height,
        Filter: 'FlateDecode',
        ColorSpace: 'DeviceRGB',
      });
      if (png.alpha) {
        const mask = doc.ref({
          Type: 'XObject',
          Subtype: 'Image',
          BitsPerComponent: 8,
          Width: png.width,
          Height: png.height,
          Filter: 'FlateDecode',
          ColorSpace: 'DeviceGray',
          Decode: [0, 1],
        });
        mask.end(png.alpha);
        (image.data as Record<string, unknown>).SMask = mask;
      }
      image.end(png.rgb);
      this.obj = image;
    },
  };
}

/**
 * Puts the seal and logo where svg-to-pdfkit's `doc.openImage(token)` finds them (PDFKit's
 * per-document image registry), so `<image href="{{seal}}">` never reaches a file or the network.
 */
async function registerImages(doc: Doc, data: CertificatePdfData): Promise<void> {
  const registry = (doc as unknown as { _imageRegistry: Record<string, unknown> })._imageRegistry;
  for (const slot of Object.keys(IMAGE_TOKENS) as CertificateImageSlot[]) {
    const image = data[slot];
    if (!image) continue;
    const png = image.mediaType === 'image/png' ? await cachedPng(image) : null;
    // JPEGs (and 16-bit PNGs) are PDFKit's own: a JPEG is embedded as it is, nothing to decode.
    const opened = png
      ? pngImage(slot, png)
      : (doc as Doc & { openImage(src: Buffer): PdfImage }).openImage(Buffer.from(image.bytes));
    registry[IMAGE_TOKENS[slot]] = opened;
  }
}

/** `{{fit name 180 14}}`: 14, or less when the text at 14 is wider than 180 (measured with the document's font). */
function fitHelper(doc: Doc) {
  return (text: unknown, width: unknown, size: unknown): string => {
    const s = Number(size);
    const measured = doc
      .font(TEXT_FONT)
      .fontSize(s)
      .widthOfString(typeof text === 'string' ? text : '');
    const fitted = measured > Number(width) ? (s * Number(width)) / measured : s;
    return String(Math.floor(fitted * 100) / 100);
  };
}

/** A revoked certificate stays printable, marked across the page and dated at the foot (so a copy cannot pass for valid). */
function drawRevoked(doc: Doc, revoked: { date: string; reason: string }): void {
  const { width, height } = doc.page;
  doc.save();
  doc.rotate(-24, { origin: [width / 2, height / 2] });
  doc
    .font(TEXT_FONT)
    .fontSize(150)
    .fillColor('#c00000')
    .fillOpacity(0.28)
    .text('已撤销', 0, height / 2 - 100, { width, align: 'center', lineBreak: false });
  doc.restore();
  doc.save();
  doc
    .font(TEXT_FONT)
    .fontSize(12)
    .fillColor('#c00000')
    .fillOpacity(1)
    .text(`本证书已于${revoked.date}撤销：${revoked.reason}`, 40, height - 34, {
      width: width - 80,
      align: 'center',
      lineBreak: false,
      ellipsis: true,
    });
  doc.restore();
}

export async function draw(doc: Doc, data: CertificatePdfData): Promise<void> {
  const template = compiled(data.template);
  await registerImages(doc, data);
  const fit = fitHelper(doc);
  const warnings: string[] = [];
  const options: SVGtoPDF.Options = {
    width: doc.page.width,
    height: doc.page.height,
    // One font for every family: the document's Chinese one; bold is drawn heavier.
    fontCallback: (_family, bold, _italic, fontOptions) => {
      fontOptions.fauxBold = bold;
      return TEXT_FONT;
    },
    // The seal and logo tokens are in the registry; anything else opens nothing (never a path).
    imageCallback: (link) => (Object.values(IMAGE_TOKENS).includes(link as never) ? link : ''),
    warningCallback: (warning) => {
      warnings.push(warning);
      if (data.strict) throw new Error(`${TEMPLATE_RENDER_ERROR}${warning}`);
    },
  };
  data.pages.forEach((page, i) => {
    if (i > 0) doc.addPage();
    const svg = template(
      {
        ...page.fields,
        qr: qrPath(page.fields.verifyUrl),
        seal: data.seal ? IMAGE_TOKENS.seal : '',
        logo: data.logo ? IMAGE_TOKENS.logo : '',
      },
      { helpers: { fit } },
    );
    SVGtoPDF(doc, svg, 0, 0, options);
    if (page.revoked) drawRevoked(doc, page.revoked);
  });
}
