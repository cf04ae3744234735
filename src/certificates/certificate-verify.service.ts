import { Injectable } from '@nestjs/common';
import { TransactionService } from '../common/database/transaction.service';
import { localDate } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { Certificate } from './certificate.entity';
import { CertificateVerifyThrottleService } from './certificate-verify-throttle.service';
import { CertificateErrors } from './certificates.errors';
import type { CertificateVerificationDto } from './dto/certificate-verification.dto';
import { maskHolderName } from './name-mask';
import { formatVerificationCode, normaliseVerificationCode } from './verification-code';

/** The columns a verification reads: never the trainee's id or anything else about them. */
type Verified = Pick<Certificate, 'code' | 'serial' | 'snapshot' | 'issuedAt' | 'revokedAt' | 'revokeReason'>;

/** What the public learns from a certificate, dates in the centre's time zone. */
export function toVerification(c: Verified, zone: string): CertificateVerificationDto {
  const s = c.snapshot;
  return {
    valid: c.revokedAt === null,
    code: formatVerificationCode(c.code),
    serial: c.serial,
    holder: maskHolderName(s.name),
    course: s.course,
    classTitle: s.classTitle,
    centre: s.centre,
    issuedOn: localDate(c.issuedAt, zone),
    revoked: c.revokedAt === null ? null : { on: localDate(c.revokedAt, zone), reason: c.revokeReason ?? '' },
  };
}

/**
 * Public verification of a certificate by its code (what the QR code and the paper carry).
 * A code that cannot be one and a code that matches nothing are answered alike, so the route
 * tells a caller nothing but "no such certificate".
 */
@Injectable()
export class CertificateVerifyService {
  constructor(
    private readonly tx: TransactionService,
    private readonly throttle: CertificateVerifyThrottleService,
    private readonly env: Env,
  ) {}

  /** Counts the lookup against `ip` (429 past the limit), then finds the certificate (404 if none). */
  async verify(input: string, ip: string): Promise<CertificateVerificationDto> {
    const wait = await this.throttle.take(ip);
    if (wait > 0) throw CertificateErrors.tooManyVerifications(wait);
    const code = normaliseVerificationCode(input);
    if (code === null) throw CertificateErrors.notFound();
    const found = await this.tx.manager.getRepository(Certificate).findOne({
      where: { code },
      select: { code: true, serial: true, snapshot: true, issuedAt: true, revokedAt: true, revokeReason: true },
    });
    if (!found) throw CertificateErrors.notFound();
    return toVerification(found, this.env.TZ_DEFAULT);
  }
}
