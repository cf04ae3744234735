/**
 * What a certificate template can print: the fields (`{{name}}`, `{{course}}`, …) and the
 * placeholders for the QR code, seal and logo. Plain data only: the PDF worker imports this.
 * templates/certificates/README.md describes them for the people who draw templates.
 */
export const CERTIFICATE_FIELDS = [
  'name',
  'township',
  'course',
  'classTitle',
  'startDate',
  'endDate',
  'dates',
  'hours',
  'sessionsAttended',
  'sessionsHeld',
  'attendanceRate',
  'score',
  'centre',
  'issueDate',
  'serial',
  'code',
  'verifyUrl',
  'qr',
  'seal',
  'logo',
] as const;
export type CertificateField = (typeof CERTIFICATE_FIELDS)[number];

/**
 * Every field as printed text (empty when there is nothing to print, so `{{#if score}}` works).
 * The QR code, seal and logo are added where the page is drawn (the QR code from `verifyUrl`).
 */
export type CertificateFields = Record<Exclude<CertificateField, 'seal' | 'logo' | 'qr'>, string>;

/** The only image addresses a template may use: `href="{{seal}}"` and `href="{{logo}}"` render to these. */
export const IMAGE_TOKENS = { seal: 'lms-image:seal', logo: 'lms-image:logo' } as const;
export type CertificateImageSlot = keyof typeof IMAGE_TOKENS;

/** The helpers a template may call besides `if` and `unless`: `{{fit name 180 14}}` shrinks a font size to fit a width. */
export const TEMPLATE_HELPERS = ['fit'] as const;

/** Handlebars settings for every certificate template: a missing field is an error, and no helper but ours. */
export const TEMPLATE_COMPILE_OPTIONS = {
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: { fit: true },
} as const;

/** An uploaded seal or logo, as sent to the PDF worker (`key` identifies its bytes, for the per-thread cache). */
export interface CertificateImage {
  key: string;
  mediaType: 'image/png' | 'image/jpeg';
  bytes: Uint8Array;
}

/** One page: a certificate's fields, and its revocation when it was revoked (printed across it). */
export interface CertificatePage {
  fields: CertificateFields;
  revoked: { date: string; reason: string } | null;
}

/** What the certificate layout draws: one template, its images, a page per certificate. */
export interface CertificatePdfData {
  template: string;
  seal: CertificateImage | null;
  logo: CertificateImage | null;
  pages: CertificatePage[];
  /** Checking a template: any warning of the SVG renderer fails the render (it would otherwise drop what it cannot draw). */
  strict?: boolean;
}

/** Fields that read like a real certificate, for checking and previewing templates (a long name, a score). */
export const SAMPLE_FIELDS: CertificateFields = {
  name: '欧阳明',
  township: '城关镇',
  course: '计算机基础与智能手机应用',
  classTitle: '2026年第二季度计算机基础培训班（城关镇、东风乡）',
  startDate: '2026年4月6日',
  endDate: '2026年6月28日',
  dates: '2026年4月6日至2026年6月28日',
  hours: '27',
  sessionsAttended: '11',
  sessionsHeld: '12',
  attendanceRate: '92%',
  score: '86',
  centre: '示例县图书馆',
  issueDate: '2026年7月1日',
  serial: '2026-Q2-0037',
  code: '7K3Q-M9XD-0A1B-ZZ22-PQRS',
  verifyUrl: 'https://lms.example.org/api/certificates/verify/7K3Q-M9XD-0A1B-ZZ22-PQRS',
};

/** A prefix of errors a strict (template-checking) render throws, so the service can tell them from other failures. */
export const TEMPLATE_RENDER_ERROR = 'CERTIFICATE_TEMPLATE_RENDER: ';
