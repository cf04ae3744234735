import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Response } from 'supertest';
import { verificationPath } from '../../src/certificates/verification-code';
import { type CertificateRowsWorld, certificateRowsWorld, insertCertificateRow } from '../factories/certificate-rows';
import { createClass, createPlan } from '../factories/classes';
import { createUnit, createUser, login } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Certificates as PDFs (certificate-pdfs.*, certificate-templates.*): what the PDF says, read
 * back with poppler; the QR code decoded from a 150 dpi render with zbarimg; long names; the
 * batch PDF; a centre's own template and seal, and the templates that are refused; who may
 * download what. Certificates are inserted directly (issuing has its own tests).
 */

const BASE_URL = 'https://lms.example.org';
const DEFAULT_TEMPLATE = readFileSync(join(__dirname, '../../templates/certificates/default.svg.hbs'), 'utf8');

function withPdf<T>(pdf: Buffer, work: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'cert-pdf-'));
  try {
    const file = join(dir, 'c.pdf');
    writeFileSync(file, pdf);
    return work(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const run = (tool: string, args: string[]) => execFileSync(tool, args, { encoding: 'utf8' });
const pdfText = (pdf: Buffer, ...args: string[]) => withPdf(pdf, (f) => run('pdftotext', [...args, f, '-']));
const pdfPages = (pdf: Buffer) => Number(/Pages:\s+(\d+)/.exec(withPdf(pdf, (f) => run('pdfinfo', [f])))![1]);

/** The QR codes zbarimg finds on page 1 rendered at 150 dpi. */
function qrCodes(pdf: Buffer): string[] {
  return withPdf(pdf, (f, dir) => {
    run('pdftoppm', ['-r', '150', '-f', '1', '-l', '1', '-png', f, join(dir, 'page')]);
    return run('zbarimg', ['-q', '--raw', join(dir, 'page-1.png')])
      .trim()
      .split('\n');
  });
}

/** Word boxes (pdftotext -bbox) on page 1 whose text contains `text`, in points. */
function boxesOf(pdf: Buffer, text: string): { xMin: number; xMax: number; height: number }[] {
  const html = pdfText(pdf, '-bbox', '-f', '1', '-l', '1');
  return [...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
    .filter((m) => m[5].includes(text))
    .map((m) => ({ xMin: Number(m[1]), xMax: Number(m[3]), height: Number(m[4]) - Number(m[2]) }));
}

/** A w×h RGBA PNG, half transparent red: a seal as centres scan them. */
function png(w = 64, h = 64, noise = false): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const pixel = noise ? randomBytes(4) : [200, 20, 20, (x + y) % 2 ? 255 : 128];
      rows.set(pixel, y * (w * 4 + 1) + 1 + x * 4);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('certificate PDFs (e2e)', () => {
  let t: TestApp;
  let w: CertificateRowsWorld;

  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_BASE_URL: BASE_URL });
    w = await certificateRowsWorld(t.http, t.ds);
  });
  afterAll(() => t.close());

  const getPdf = (path: string, auth: string) => t.http.get(path).set('Authorization', auth).buffer(true).parse(binary);
  const upload = (unitId: string, part: '' | '/seal' | '/logo', file: Buffer, name: string, auth = w.admin.auth) =>
    t.http
      .put(`/api/org-units/${unitId}/certificate-template${part}`)
      .set('Authorization', auth)
      .attach('file', file, name);
  const signIn = async (username: string) => `Bearer ${await login(t.http, username)}`;

  describe('one certificate', () => {
    it('is a PDF with the name, serial and code as text, the font embedded, and a QR code of the verification address', async () => {
      const { certificate, trainee } = await insertCertificateRow(t.ds, w, { name: '欧阳晓明' });
      const res = await getPdf(`/api/certificates/${certificate.id}/pdf`, await signIn(trainee.username));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename*=UTF-8''${encodeURIComponent(`结业证书-${certificate.serial}.pdf`)}`,
      );
      const pdf = res.body as Buffer;
      const text = pdfText(pdf);
      expect(text).toContain('结业证书');
      expect(text).toContain('欧阳晓明');
      expect(text).toContain(certificate.serial);
      expect(text).toContain(w.course.title);
      expect(text).toContain('2026年4月6日至2026年6月28日');
      expect(text).toContain('考核成绩 86 分');
      expect(text).toContain(verificationPath(certificate.code).split('/').pop());
      const fonts = withPdf(pdf, (f) => run('pdffonts', [f]));
      expect(fonts).toMatch(/\+NotoSansCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes yes yes/);
      expect(pdfPages(pdf)).toBe(1);
      expect(qrCodes(pdf)).toEqual([BASE_URL + verificationPath(certificate.code)]);
    });

    it('shrinks a long name to fit its box, on one line, and leaves a short one at full size', async () => {
      const long = '阿卜杜热合曼·买买提依明·艾合买提江·库尔班尼亚孜·吐尔逊';
      const a = await insertCertificateRow(t.ds, w, { name: long });
      const b = await insertCertificateRow(t.ds, w, { name: '王芳' });
      const longPdf = (await getPdf(`/api/certificates/${a.certificate.id}/pdf`, w.admin.auth)).body as Buffer;
      const shortPdf = (await getPdf(`/api/certificates/${b.certificate.id}/pdf`, w.admin.auth)).body as Buffer;
      // The default template's name box: 170 of 297 mm across an 841.89 pt page, centred.
      const box = (170 / 297) * 841.89;
      const [longBox] = boxesOf(longPdf, '阿卜杜热合曼');
      expect(longBox).toBeDefined();
      expect(boxesOf(longPdf, '吐尔逊')).toEqual([longBox]); // one word: the whole name on one line
      expect(longBox.xMax - longBox.xMin).toBeLessThanOrEqual(box + 1);
      expect(longBox.xMax - longBox.xMin).toBeGreaterThan(box * 0.9);
      const [shortBox] = boxesOf(shortPdf, '王芳');
      // Two characters at the full 15 mm (42.5 pt) each: not stretched to the box (no textLength).
      expect(shortBox.xMax - shortBox.xMin).toBeGreaterThan(80);
      expect(shortBox.xMax - shortBox.xMin).toBeLessThan(90);
    });

    it('still downloads once revoked, marked 已撤销 with the date and reason', async () => {
      const { certificate, trainee } = await insertCertificateRow(t.ds, w, { revoked: '成绩录入有误' });
      const res = await getPdf(`/api/certificates/${certificate.id}/pdf`, await signIn(trainee.username));
      expect(res.status).toBe(200);
      const pdf = res.body as Buffer;
      expect(pdfText(pdf)).toContain('本证书已于2026年7月2日撤销：成绩录入有误');
      // 已撤销 across the page: three large glyphs (drawn at an angle, so pdftotext reads them one by one).
      for (const ch of ['已', '撤', '销']) {
        expect(boxesOf(pdf, ch).some((b) => b.height > 60)).toBe(true);
      }
    });

    it('is 404 for other trainees, the trainer, admins outside its county and unknown ids', async () => {
      const { certificate } = await insertCertificateRow(t.ds, w);
      const other = await insertCertificateRow(t.ds, w);
      for (const auth of [await signIn(other.trainee.username), w.trainer.auth, w.otherAdmin.auth]) {
        const res = await t.http.get(`/api/certificates/${certificate.id}/pdf`).set('Authorization', auth);
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'CERTIFICATE_NOT_FOUND' });
      }
      const missing = await t.http
        .get('/api/certificates/00000000-0000-4000-8000-000000000000/pdf')
        .set('Authorization', w.admin.auth);
      expect(missing.status).toBe(404);
      expect((await t.http.get(`/api/certificates/${certificate.id}/pdf`)).status).toBe(401);
    });
  });

  describe("a class's certificates in one PDF", () => {
    it('has one page per live certificate, for admins in scope and the trainers', async () => {
      const plan = await createPlan(t.ds, w.tree.countyA, 2027);
      const cls = await createClass(t.ds, plan, w.course, [w.trainer.user.id], { status: 'completed' });
      const world = { ...w, cls };
      const names = ['赵一', '钱二', '孙三'];
      for (const name of names) await insertCertificateRow(t.ds, world, { name });
      await insertCertificateRow(t.ds, world, { name: '李四', revoked: '重复发放' });
      for (const auth of [w.admin.auth, w.trainer.auth]) {
        const res = await getPdf(`/api/classes/${cls.id}/certificates.pdf`, auth);
        expect(res.status).toBe(200);
        expect(res.headers['content-disposition']).toContain(encodeURIComponent(`${cls.title}-结业证书.pdf`));
        const pdf = res.body as Buffer;
        expect(pdfPages(pdf)).toBe(3);
        const text = pdfText(pdf);
        for (const name of names) expect(text).toContain(name);
        expect(text).not.toContain('李四');
      }
    });

    it('draws a batch once when it is asked for again while being drawn (a double click)', async () => {
      const plan = await createPlan(t.ds, w.tree.countyA, 2030);
      const cls = await createClass(t.ds, plan, w.course, [w.trainer.user.id], { status: 'completed' });
      for (const name of ['周一', '吴二']) await insertCertificateRow(t.ds, { ...w, cls }, { name });
      const path = `/api/classes/${cls.id}/certificates.pdf`;
      const [a, b] = await Promise.all([getPdf(path, w.admin.auth), getPdf(path, w.trainer.auth)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      // Two drawings would differ (each PDF carries its own creation time and id).
      expect(Buffer.compare(a.body as Buffer, b.body as Buffer)).toBe(0);
      const later = await getPdf(path, w.admin.auth);
      expect(Buffer.compare(later.body as Buffer, a.body as Buffer)).not.toBe(0);
    });

    it('is 404 outside scope, 403 for trainees, and 404 CLASS_HAS_NO_CERTIFICATES when there is none to print', async () => {
      const plan = await createPlan(t.ds, w.tree.countyA, 2028);
      const empty = await createClass(t.ds, plan, w.course, [], { status: 'completed' });
      const none = await t.http.get(`/api/classes/${empty.id}/certificates.pdf`).set('Authorization', w.admin.auth);
      expect({ status: none.status, code: none.body.code }).toEqual({ status: 404, code: 'CLASS_HAS_NO_CERTIFICATES' });
      const outside = await t.http
        .get(`/api/classes/${w.cls.id}/certificates.pdf`)
        .set('Authorization', w.otherAdmin.auth);
      expect({ status: outside.status, code: outside.body.code }).toEqual({ status: 404, code: 'CLASS_NOT_FOUND' });
      const { trainee } = await insertCertificateRow(t.ds, w);
      const asTrainee = await t.http
        .get(`/api/classes/${w.cls.id}/certificates.pdf`)
        .set('Authorization', await signIn(trainee.username));
      expect(asTrainee.status).toBe(403);
    });
  });

  describe("a centre's own template", () => {
    const OWN = DEFAULT_TEMPLATE.replace('>结业证书</text>', '>培训合格证书</text>').replace(
      '经考核合格',
      '本中心自制模板：经考核合格',
    );

    it('is checked, kept, used for the classes below the unit, and removed back to the default', async () => {
      // A unit of its own (a county under the province), so other tests keep the default.
      const county = await createUnit(t.ds, w.tree.province, 'county', '丙县');
      const admin = await createUser(t.ds, { role: 'admin', orgUnitId: county.id });
      const auth = await signIn(admin.username);
      const plan = await createPlan(t.ds, county, 2026);
      const cls = await createClass(t.ds, plan, w.course, [], { status: 'completed' });
      const { certificate } = await insertCertificateRow(t.ds, { ...w, cls });

      const put = await upload(county.id, '', Buffer.from(OWN), 'own.svg', auth);
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ orgUnitId: county.id, custom: true, hasSeal: false, hasLogo: false });
      const got = await t.http.get(`/api/org-units/${county.id}/certificate-template`).set('Authorization', auth);
      expect(got.body.svg).toBe(OWN);

      const sealed = await upload(county.id, '/seal', png(), 'seal.png', auth);
      expect(sealed.status).toBe(200);
      expect(sealed.body).toMatchObject({ custom: true, hasSeal: true });

      // The admin of the county above (the province's) sees it too; the township's classes would use it.
      const pdf = (await getPdf(`/api/certificates/${certificate.id}/pdf`, auth)).body as Buffer;
      const text = pdfText(pdf);
      expect(text).toContain('培训合格证书');
      expect(text).toContain('本中心自制模板');
      // The seal is drawn (with its transparency as a soft mask), the QR code still decodes.
      const images = withPdf(pdf, (f) => run('pdfimages', ['-list', f]));
      expect(images).toMatch(/\s64\s+64\s+rgb\s+3\s+8\s+image/);
      expect(images).toMatch(/smask\s+64\s+64\s+gray\s+1\s+8/);
      expect(qrCodes(pdf)).toEqual([BASE_URL + verificationPath(certificate.code)]);

      const preview = await getPdf(`/api/org-units/${county.id}/certificate-template/preview.pdf`, auth);
      expect(preview.status).toBe(200);
      expect(pdfText(preview.body as Buffer)).toContain('本中心自制模板');

      const removed = await t.http
        .delete(`/api/org-units/${county.id}/certificate-template`)
        .set('Authorization', auth);
      expect(removed.body).toMatchObject({ custom: false, hasSeal: true, svg: DEFAULT_TEMPLATE });
      const after = pdfText((await getPdf(`/api/certificates/${certificate.id}/pdf`, auth)).body as Buffer);
      expect(after).not.toContain('本中心自制模板');
      expect(after).toContain('结业证书');
    });

    const svg = (inner: string, attrs = '') =>
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 297 210"${attrs}><text x="10" y="10">{{name}}</text>${inner}</svg>`;
    it.each([
      ['a script', svg('<script>alert(1)</script>'), 'script'],
      ['an onload handler', svg('', ' onload="alert(1)"'), 'event_handler'],
      [
        'an external image',
        svg('<image href="https://evil.example/seal.png" width="10" height="10"/>'),
        'external_reference',
      ],
      ['a local file as an image', svg('<image href="/etc/passwd" width="10" height="10"/>'), 'external_reference'],
      ['a foreignObject', svg('<foreignObject><p>x</p></foreignObject>'), 'foreign_object'],
      ['malformed XML', '<svg xmlns="http://www.w3.org/2000/svg"><text>{{name}}</svg>', 'malformed'],
      ['entities', `<!DOCTYPE svg [<!ENTITY e "x">]>${svg('')}`, 'doctype'],
      ['an unknown field', svg('<text>{{phone}}</text>'), 'unknown_field'],
      ['unescaped output', svg('<text>{{{name}}}</text>'), 'handlebars'],
      ['what the renderer cannot draw', svg('<path d="M 10 10 L"/>'), 'render'],
      ['over 512 KB', svg(`<desc>${'证'.repeat(180_000)}</desc>`), 'too_large'],
    ])('refuses %s with 400 CERTIFICATE_TEMPLATE_INVALID and a reason', async (_what, source, reason) => {
      const res = await upload(w.tree.townshipA2.id, '', Buffer.from(source), 'bad.svg');
      expect({ status: res.status, code: res.body.code, reason: res.body.reason }).toEqual({
        status: 400,
        code: 'CERTIFICATE_TEMPLATE_INVALID',
        reason,
      });
      expect(typeof res.body.detail).toBe('string');
      const kept = await t.http
        .get(`/api/org-units/${w.tree.townshipA2.id}/certificate-template`)
        .set('Authorization', w.admin.auth);
      expect(kept.body.custom).toBe(false);
    });

    it('refuses a seal that is not a PNG or JPEG, or over 1 MB', async () => {
      const svgAsSeal = await upload(w.tree.townshipA2.id, '/seal', Buffer.from(svg('')), 'seal.png');
      expect({ status: svgAsSeal.status, code: svgAsSeal.body.code }).toEqual({
        status: 400,
        code: 'CERTIFICATE_IMAGE_INVALID',
      });
      const truncated = await upload(w.tree.townshipA2.id, '/logo', png().subarray(0, 60), 'logo.png');
      expect(truncated.body.code).toBe('CERTIFICATE_IMAGE_INVALID');
      const big = await upload(w.tree.townshipA2.id, '/seal', png(600, 600, true), 'seal.png');
      expect({ status: big.status, code: big.body.code }).toEqual({ status: 413, code: 'CERTIFICATE_IMAGE_TOO_LARGE' });
    });

    it('belongs to admins in scope: 404 for another county, 403 for trainers', async () => {
      const other = await upload(w.tree.townshipA1.id, '', Buffer.from(DEFAULT_TEMPLATE), 't.svg', w.otherAdmin.auth);
      expect({ status: other.status, code: other.body.code }).toEqual({ status: 404, code: 'ORG_UNIT_NOT_FOUND' });
      const trainer = await upload(w.tree.townshipA1.id, '/seal', png(), 's.png', w.trainer.auth);
      expect(trainer.status).toBe(403);
      const read = await t.http
        .get(`/api/org-units/${w.tree.townshipA1.id}/certificate-template`)
        .set('Authorization', w.otherAdmin.auth);
      expect(read.status).toBe(404);
    });
  });

  describe('without the Chinese font', () => {
    let bare: TestApp;
    beforeAll(async () => {
      bare = await startTestApp({ PDF_FONT_PATH: '/nonexistent/font.ttc' });
    });
    afterAll(() => bare.close());

    it('answers 503 PDF_FONT_UNAVAILABLE', async () => {
      const world = await certificateRowsWorld(bare.http, bare.ds);
      const { certificate } = await insertCertificateRow(bare.ds, world);
      const one = await bare.http.get(`/api/certificates/${certificate.id}/pdf`).set('Authorization', world.admin.auth);
      expect({ status: one.status, code: one.body.code }).toEqual({ status: 503, code: 'PDF_FONT_UNAVAILABLE' });
      const all = await bare.http
        .get(`/api/classes/${world.cls.id}/certificates.pdf`)
        .set('Authorization', world.admin.auth);
      expect({ status: all.status, code: all.body.code }).toEqual({ status: 503, code: 'PDF_FONT_UNAVAILABLE' });
    });
  });
});
