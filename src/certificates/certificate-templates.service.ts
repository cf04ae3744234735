import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import type { AuthUser } from '../common/auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { ancestorPaths } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { PdfService } from '../common/pdf/pdf.service';
import { OrgUnitsService } from '../org-units/org-units.service';
import {
  type CertificateImage,
  type CertificateImageSlot,
  type CertificatePdfData,
  IMAGE_TOKENS,
  SAMPLE_FIELDS,
  TEMPLATE_COMPILE_OPTIONS,
  TEMPLATE_RENDER_ERROR,
} from './certificate-fields';
import { certificateImageType } from './certificate-image';
import { qrPath } from './certificate-qr';
import { checkSvgMarkup, checkTemplateSource } from './certificate-template.rules';
import { CertificateTemplate } from './certificate.entity';
import { CertificateErrors } from './certificates.errors';

/** The layout module the PDF worker draws certificates with. */
export const CERTIFICATE_LAYOUT = require.resolve('./certificate.layout');

/** Largest seal or logo, in bytes. */
export const MAX_CERTIFICATE_IMAGE_BYTES = 1024 * 1024;

/** A 1×1 transparent PNG: the seal and logo of a check render when the unit has none yet. */
const SAMPLE_PNG: CertificateImage = {
  key: 'sample',
  mediaType: 'image/png',
  bytes: Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
};

/** The shipped design (templates/certificates/default.svg.hbs), found from here under ts (src/) and compiled (dist/src/). */
export function defaultTemplateSource(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'templates', 'certificates', 'default.svg.hbs');
    if (existsSync(file)) return readFileSync(file, 'utf8');
    if (path.dirname(dir) === dir)
      throw new Error(`templates/certificates/default.svg.hbs not found above ${__dirname}`);
  }
}

/** The design, seal and logo that apply to certificates of a unit's classes. */
export interface AppliedTemplate {
  /** The unit whose row supplied it; null for the shipped default without seal or logo. */
  orgUnitId: string | null;
  svg: string;
  seal: CertificateImage | null;
  logo: CertificateImage | null;
}

/** What a unit has of its own (GET …/certificate-template). */
export interface OwnTemplate {
  orgUnitId: string;
  /** True when the unit uploaded its own design; `svg` is then its source, else the default's. */
  custom: boolean;
  svg: string;
  hasSeal: boolean;
  hasLogo: boolean;
  updatedAt: Date | null;
}

interface TemplateRow {
  org_unit_id: string;
  svg: string | null;
  seal: Buffer | null;
  seal_media_type: CertificateImage['mediaType'] | null;
  seal_md5: string | null;
  logo: Buffer | null;
  logo_media_type: CertificateImage['mediaType'] | null;
  logo_md5: string | null;
}

/**
 * Certificate designs: the default (templates/certificates/default.svg.hbs) and each unit's own
 * Handlebars SVG, seal and logo. A certificate uses the nearest unit at or above its class's
 * plan unit that has a row, as a whole (its design, or the default when it only set a seal or
 * logo, and that row's seal and logo). Uploads are checked before they are kept:
 * certificate-template.rules.ts, then a render with sample data in which any warning of the
 * SVG renderer fails the upload.
 */
@Injectable()
export class CertificateTemplatesService {
  /** Read once: the shipped design. */
  readonly defaultSvg = defaultTemplateSource();

  constructor(
    private readonly tx: TransactionService,
    private readonly orgUnits: OrgUnitsService,
    private readonly pdf: PdfService,
  ) {}

  /** The template for certificates of classes planned at `planPath`. */
  async applying(planPath: string): Promise<AppliedTemplate> {
    const [row] = await this.tx.manager.query<TemplateRow[]>(
      `SELECT t.org_unit_id, t.svg, t.seal, t.seal_media_type, md5(t.seal) AS seal_md5,
              t.logo, t.logo_media_type, md5(t.logo) AS logo_md5
         FROM certificate_templates t JOIN org_units o ON o.id = t.org_unit_id
        WHERE o.path = ANY($1::text[]) ORDER BY o.depth DESC LIMIT 1`,
      [ancestorPaths(planPath)],
    );
    if (!row) return { orgUnitId: null, svg: this.defaultSvg, seal: null, logo: null };
    const image = (bytes: Buffer | null, type: CertificateImage['mediaType'] | null, md5: string | null) =>
      bytes && type && md5 ? { key: md5, mediaType: type, bytes } : null;
    return {
      orgUnitId: row.org_unit_id,
      svg: row.svg ?? this.defaultSvg,
      seal: image(row.seal, row.seal_media_type, row.seal_md5),
      logo: image(row.logo, row.logo_media_type, row.logo_md5),
    };
  }

  async own(actor: AuthUser, unitId: string): Promise<OwnTemplate> {
    await this.orgUnits.getInScope(actor, unitId);
    const row = await this.tx.manager.getRepository(CertificateTemplate).findOneBy({ orgUnitId: unitId });
    return {
      orgUnitId: unitId,
      custom: row?.svg != null,
      svg: row?.svg ?? this.defaultSvg,
      hasSeal: row?.sealMediaType != null,
      hasLogo: row?.logoMediaType != null,
      updatedAt: row?.updatedAt ?? null,
    };
  }

  /** Checks and keeps a unit's own design (UTF-8 SVG with Handlebars fields). */
  async putSvg(actor: AuthUser, unitId: string, file: Buffer): Promise<OwnTemplate> {
    await this.orgUnits.getInScope(actor, unitId);
    const svg = await this.check(file, unitId);
    await this.tx.manager.query(
      `INSERT INTO certificate_templates (org_unit_id, svg, updated_by, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (org_unit_id) DO UPDATE SET svg = EXCLUDED.svg, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [unitId, svg, actor.id],
    );
    return this.own(actor, unitId);
  }

  /** Keeps a unit's seal or logo: a PNG or JPEG (told by its bytes) of at most 1 MB. */
  async putImage(actor: AuthUser, unitId: string, slot: CertificateImageSlot, file: Buffer): Promise<OwnTemplate> {
    await this.orgUnits.getInScope(actor, unitId);
    if (file.length > MAX_CERTIFICATE_IMAGE_BYTES) throw CertificateErrors.imageTooLarge(MAX_CERTIFICATE_IMAGE_BYTES);
    const mediaType = certificateImageType(file);
    if (!mediaType) throw CertificateErrors.imageInvalid();
    // Column names come from the slot, never from the request.
    const column = slot === 'seal' ? 'seal' : 'logo';
    await this.tx.manager.query(
      `INSERT INTO certificate_templates (org_unit_id, ${column}, ${column}_media_type, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (org_unit_id) DO UPDATE SET ${column} = EXCLUDED.${column},
         ${column}_media_type = EXCLUDED.${column}_media_type, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [unitId, file, mediaType, actor.id],
    );
    return this.own(actor, unitId);
  }

  /**
   * Takes the unit's own design (`part` 'svg'), seal or logo away; the row goes once nothing is
   * left, so the unit's certificates fall back to the unit above (or the default).
   */
  async remove(actor: AuthUser, unitId: string, part: 'svg' | CertificateImageSlot): Promise<OwnTemplate> {
    await this.orgUnits.getInScope(actor, unitId);
    const set =
      part === 'svg'
        ? 'svg = NULL'
        : part === 'seal'
          ? 'seal = NULL, seal_media_type = NULL'
          : 'logo = NULL, logo_media_type = NULL';
    await this.tx.run(async (m) => {
      await m.query(
        `UPDATE certificate_templates SET ${set}, updated_by = $2, updated_at = now() WHERE org_unit_id = $1`,
        [unitId, actor.id],
      );
      await m.query(
        `DELETE FROM certificate_templates WHERE org_unit_id = $1 AND svg IS NULL AND seal IS NULL AND logo IS NULL`,
        [unitId],
      );
    });
    return this.own(actor, unitId);
  }

  /** A one-page PDF of the design that applies at the unit, with sample data. */
  async preview(actor: AuthUser, unitId: string): Promise<Buffer> {
    const unit = await this.orgUnits.getInScope(actor, unitId);
    const applied = await this.applying(unit.path);
    return this.pdf.render(CERTIFICATE_LAYOUT, this.sampleData(applied.svg, applied.seal, applied.logo), {
      title: '结业证书（样张）',
      layout: 'landscape',
      margin: 0,
    });
  }

  private sampleData(svg: string, seal: CertificateImage | null, logo: CertificateImage | null): CertificatePdfData {
    return {
      template: svg,
      seal,
      logo,
      pages: [{ fields: SAMPLE_FIELDS, revoked: null }],
    };
  }

  /** The template's text once every check passed; else 400 CERTIFICATE_TEMPLATE_INVALID with the first problem. */
  private async check(file: Buffer, unitId: string): Promise<string> {
    let svg: string;
    try {
      svg = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(file);
    } catch {
      throw CertificateErrors.templateInvalid('malformed', 'not UTF-8 text');
    }
    const found = checkTemplateSource(svg);
    if (found) throw CertificateErrors.templateInvalid(found.reason, found.detail);
    // What it renders to (fields filled, images set) must pass the same markup checks.
    let rendered: string;
    try {
      rendered = Handlebars.compile(svg, TEMPLATE_COMPILE_OPTIONS)(
        { ...SAMPLE_FIELDS, qr: qrPath(SAMPLE_FIELDS.verifyUrl), ...IMAGE_TOKENS },
        { helpers: { fit: (_t: unknown, _w: unknown, size: unknown) => String(size) } },
      );
    } catch (e) {
      throw CertificateErrors.templateInvalid('handlebars', (e as Error).message.split('\n')[0]);
    }
    const after = checkSvgMarkup(rendered, 'rendered');
    if (after) throw CertificateErrors.templateInvalid(after.reason, after.detail);
    // Drawn once, strictly: anything the renderer would drop or could not read fails here, not on paper.
    const own = await this.tx.manager
      .getRepository(CertificateTemplate)
      .createQueryBuilder('t')
      .addSelect(['t.seal', 't.logo'])
      .where('t.org_unit_id = :unitId', { unitId })
      .getOne();
    // Keyed by content (md5, as `applying` keys them), so the worker's decoded copy is never stale.
    const image = (bytes: Buffer | null, type: string | null): CertificateImage =>
      bytes && type
        ? {
            key: createHash('md5').update(bytes).digest('hex'),
            mediaType: type as CertificateImage['mediaType'],
            bytes,
          }
        : SAMPLE_PNG;
    const data = this.sampleData(
      svg,
      image(own?.seal ?? null, own?.sealMediaType ?? null),
      image(own?.logo ?? null, own?.logoMediaType ?? null),
    );
    try {
      await this.pdf.render(
        CERTIFICATE_LAYOUT,
        { ...data, strict: true },
        { title: 'check', layout: 'landscape', margin: 0 },
      );
    } catch (e) {
      const message = (e as Error).message ?? '';
      const at = message.indexOf(TEMPLATE_RENDER_ERROR);
      if (at >= 0) throw CertificateErrors.templateInvalid('render', message.slice(at + TEMPLATE_RENDER_ERROR.length));
      if (e instanceof DomainError) throw e;
      // Anything else the renderer trips over (a stack overflow, a job cut off at its time limit)
      // is the template's fault: refused, never a 500.
      throw CertificateErrors.templateInvalid('render', message.slice(0, 200));
    }
    return svg;
  }
}
