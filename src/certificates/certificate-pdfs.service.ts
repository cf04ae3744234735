import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { PdfService } from '../common/pdf/pdf.service';
import { ClassErrors } from '../classes/classes.errors';
import { ClassesService } from '../classes/classes.service';
import { Env, publicBaseUrl } from '../config/env';
import { isWithin } from '../org-units/org-units.service';
import type { CertificatePage } from './certificate-fields';
import { certificatePage } from './certificate-page';
import { CERTIFICATE_LAYOUT, CertificateTemplatesService } from './certificate-templates.service';
import { Certificate } from './certificate.entity';
import { CertificateErrors } from './certificates.errors';

const PDF_OPTIONS = { layout: 'landscape', margin: 0 } as const;

/**
 * Certificates as PDFs: one certificate for its holder or an admin over its class, and every
 * live certificate of a class in one PDF for printing. The design is the template that applies
 * to the class's plan unit (CertificateTemplatesService); the text printed is the certificate's
 * snapshot, as issued. A revoked certificate still downloads, marked 已撤销 across the page.
 */
@Injectable()
export class CertificatePdfsService {
  /** Class batches being drawn, by class, certificates and design. */
  private readonly batches = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly templates: CertificateTemplatesService,
    private readonly pdf: PdfService,
    private readonly env: Env,
  ) {}

  /** Its holder and admins over its class; anyone else 404 CERTIFICATE_NOT_FOUND. */
  async single(actor: AuthUser, id: string): Promise<{ filename: string; pdf: Buffer }> {
    const cert = await this.tx.manager.getRepository(Certificate).findOneBy({ id });
    const cls = cert && (await this.classes.find(cert.classId));
    const mayRead =
      !!cert &&
      !!cls &&
      (cert.traineeId === actor.id || (actor.role === 'admin' && isWithin(cls.planPath, actor.orgPath)));
    if (!cert || !cls || !mayRead) throw CertificateErrors.notFound();
    const template = await this.templates.applying(cls.planPath);
    const pdf = await this.pdf.render(
      CERTIFICATE_LAYOUT,
      { template: template.svg, seal: template.seal, logo: template.logo, pages: [this.page(cert)] },
      { ...PDF_OPTIONS, title: `结业证书 ${cert.serial}` },
    );
    return { filename: `结业证书-${cert.serial}.pdf`, pdf };
  }

  /**
   * Every live (not revoked) certificate of the class, one page each in serial order, for
   * printing: admins over the class and its trainers; else 404 CLASS_NOT_FOUND. A class without
   * any is 404 CLASS_HAS_NO_CERTIFICATES (an empty PDF would print a blank sheet).
   */
  async forClass(actor: AuthUser, classId: string): Promise<{ filename: string; pdf: Buffer }> {
    const cls = await this.classes.find(classId);
    const mayRead =
      !!cls &&
      ((actor.role === 'admin' && isWithin(cls.planPath, actor.orgPath)) ||
        (actor.role === 'trainer' && cls.trainerIds.includes(actor.id)));
    if (!cls || !mayRead) throw ClassErrors.notFound();
    const certs = await this.tx.manager
      .getRepository(Certificate)
      .createQueryBuilder('c')
      .where('c.class_id = :classId AND c.revoked_at IS NULL', { classId })
      .orderBy('c.serial', 'ASC')
      .getMany();
    if (certs.length === 0) throw CertificateErrors.noneToPrint();
    const template = await this.templates.applying(cls.planPath);
    // The same class and certificates asked for again while being drawn (a double click, two
    // screens) share that one drawing: a batch holds a PDF thread for seconds.
    const key = [classId, ...certs.map((c) => c.id), template.orgUnitId, template.seal?.key, template.logo?.key].join(
      ':',
    );
    let drawing = this.batches.get(key);
    if (!drawing) {
      drawing = this.pdf
        .render(
          CERTIFICATE_LAYOUT,
          { template: template.svg, seal: template.seal, logo: template.logo, pages: certs.map((c) => this.page(c)) },
          { ...PDF_OPTIONS, title: `${cls.entity.title} 结业证书` },
        )
        .finally(() => this.batches.delete(key));
      this.batches.set(key, drawing);
    }
    return { filename: `${cls.entity.title}-结业证书.pdf`, pdf: await drawing };
  }

  private page(cert: Certificate): CertificatePage {
    return certificatePage(cert, publicBaseUrl(this.env), this.env.TZ_DEFAULT);
  }
}
