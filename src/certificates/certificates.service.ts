import { Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { type Page, type PageQueryDto, pageOf } from '../common/pagination/page.dto';
import { Clock } from '../common/time/clock';
import { localDate } from '../common/time/zoned-time';
import { ClassErrors } from '../classes/classes.errors';
import { ClassesService } from '../classes/classes.service';
import { Env, publicBaseUrl } from '../config/env';
import { Certificate, CertificateEvent, type CertificateSnapshot } from './certificate.entity';
import { CertificateErrors } from './certificates.errors';
import { formatVerificationCode, verificationPath } from './verification-code';

/** A certificate as its answers show it. */
export interface CertificateView {
  id: string;
  classId: string;
  traineeId: string;
  serial: string;
  /** Formatted in groups (`7K3Q-M9XD-…`). */
  code: string;
  verifyUrl: string;
  pdfUrl: string;
  status: 'valid' | 'revoked';
  snapshot: CertificateSnapshot;
  issuedAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
}

const STATUS_ZH = { valid: '有效', revoked: '已撤销' } as const;
const XLSX_HEADER = ['证书编号', '姓名', '乡镇', '课程', '发证日期', '状态', '验证码'];

/** Reading certificates (the holder, staff of the class) and revoking them (admins in scope). */
@Injectable()
export class CertificatesService {
  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  /** The holder, admins in scope and the class's trainers; 404 for anyone else. */
  async get(actor: AuthUser, id: string): Promise<CertificateView> {
    const found = await this.tx.manager.getRepository(Certificate).findOneBy({ id });
    if (!found || !(await this.canRead(actor, found))) throw CertificateErrors.notFoundById();
    return this.view(found);
  }

  /** Every certificate of a class (revoked ones too), newest serial last; admins in scope and its trainers. */
  async listForClass(actor: AuthUser, classId: string, query: PageQueryDto): Promise<Page<CertificateView>> {
    await this.assertClassStaff(actor, classId);
    const [items, total] = await this.tx.manager.getRepository(Certificate).findAndCount({
      where: { classId },
      order: { issuedAt: 'ASC', serial: 'ASC', id: 'ASC' },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    });
    return pageOf(
      items.map((c) => this.view(c)),
      total,
      query,
    );
  }

  /** The whole list as a spreadsheet, with Chinese headers. */
  async classXlsx(actor: AuthUser, classId: string): Promise<{ title: string; file: Buffer }> {
    const c = await this.assertClassStaff(actor, classId);
    const all = await this.tx.manager
      .getRepository(Certificate)
      .find({ where: { classId }, order: { issuedAt: 'ASC', serial: 'ASC', id: 'ASC' } });
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('证书');
    sheet.addRow(XLSX_HEADER).font = { bold: true };
    for (const cert of all.map((x) => this.view(x))) {
      sheet.addRow([
        cert.serial,
        cert.snapshot.name,
        cert.snapshot.township ?? '',
        cert.snapshot.course,
        localDate(cert.issuedAt, this.env.TZ_DEFAULT),
        STATUS_ZH[cert.status],
        cert.code,
      ]);
    }
    sheet.columns.forEach((col) => (col.width = 16));
    return { title: c.entity.title, file: Buffer.from(await workbook.xlsx.writeBuffer()) };
  }

  /** A trainee's own certificates, newest first, revoked ones too (flagged). */
  async mine(actor: AuthUser): Promise<CertificateView[]> {
    const all = await this.tx.manager
      .getRepository(Certificate)
      .find({ where: { traineeId: actor.id }, order: { issuedAt: 'DESC', id: 'ASC' } });
    return all.map((c) => this.view(c));
  }

  /**
   * Revokes a live certificate (admins in scope of its class), with the reason, and records it
   * in the trail. The row is locked, so two admins revoking at once give one 409.
   */
  async revoke(actor: AuthUser, id: string, reason: string): Promise<CertificateView> {
    const revoked = await this.tx.run(async (m) => {
      const found = await m
        .getRepository(Certificate)
        .createQueryBuilder('c')
        .setLock('pessimistic_write')
        .where('c.id = :id', { id })
        .getOne();
      if (!found) throw CertificateErrors.notFoundById();
      await this.classes.getManaged(actor, found.classId, m).catch(() => {
        throw CertificateErrors.notFoundById();
      });
      if (found.revokedAt) throw CertificateErrors.alreadyRevoked(found.revokedAt);
      const now = this.clock.now();
      Object.assign(found, { revokedAt: now, revokedBy: actor.id, revokeReason: reason });
      await m.getRepository(Certificate).save(found);
      await m
        .getRepository(CertificateEvent)
        .insert({ certificateId: id, kind: 'revoked', actorId: actor.id, at: now, reason });
      return found;
    });
    return this.view(revoked);
  }

  view(c: Certificate): CertificateView {
    return {
      id: c.id,
      classId: c.classId,
      traineeId: c.traineeId,
      serial: c.serial,
      code: formatVerificationCode(c.code),
      verifyUrl: publicBaseUrl(this.env) + verificationPath(c.code),
      pdfUrl: `/api/certificates/${c.id}/pdf`,
      status: c.revokedAt ? 'revoked' : 'valid',
      snapshot: c.snapshot,
      issuedAt: c.issuedAt,
      revokedAt: c.revokedAt,
      revokeReason: c.revokeReason,
    };
  }

  /** The holder; admins whose part of the tree holds the class; the class's trainers. */
  async canRead(actor: AuthUser, c: Certificate): Promise<boolean> {
    if (actor.role === 'trainee') return c.traineeId === actor.id;
    const cls = await this.classes.find(c.classId);
    return !!cls && this.classes.canRead(actor, cls);
  }

  private async assertClassStaff(actor: AuthUser, classId: string) {
    const c = await this.classes.getVisible(actor, classId);
    if (actor.role === 'trainee') throw ClassErrors.notFound();
    return c;
  }
}
