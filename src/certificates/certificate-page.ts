import { DateTime } from 'luxon';
import type { CertificateFields, CertificatePage } from './certificate-fields';
import type { Certificate } from './certificate.entity';
import { formatVerificationCode, verificationPath } from './verification-code';

type Printed = Pick<Certificate, 'snapshot' | 'serial' | 'code' | 'issuedAt' | 'revokedAt' | 'revokeReason'>;

/**
 * A certificate as its template prints it: the snapshot as text (dates in Chinese, the rate as
 * a percentage), the verification address (`baseUrl` + the verification path; the layout draws
 * its QR code), and the revocation when it was revoked. Dates of issue and revocation are local to `zone`.
 */
export function certificatePage(cert: Printed, baseUrl: string, zone: string): CertificatePage {
  return {
    fields: certificateFields(cert, baseUrl, zone),
    revoked: cert.revokedAt ? { date: localDay(cert.revokedAt, zone), reason: cert.revokeReason ?? '' } : null,
  };
}

export function certificateFields(cert: Printed, baseUrl: string, zone: string): CertificateFields {
  const s = cert.snapshot;
  const verifyUrl = baseUrl + verificationPath(cert.code);
  const startDate = chineseDate(s.startDate);
  const endDate = chineseDate(s.endDate);
  return {
    name: s.name,
    township: s.township ?? '',
    course: s.course,
    classTitle: s.classTitle,
    startDate,
    endDate,
    dates: startDate === endDate ? startDate : `${startDate}至${endDate}`,
    hours: decimal(s.hours),
    sessionsAttended: String(s.sessionsAttended),
    sessionsHeld: String(s.sessionsHeld),
    attendanceRate: `${decimal(s.attendanceRate * 100)}%`,
    score: s.score === null ? '' : decimal(s.score),
    centre: s.centre,
    issueDate: localDay(cert.issuedAt, zone),
    serial: cert.serial,
    code: formatVerificationCode(cert.code),
    verifyUrl,
  };
}

function localDay(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('yyyy年M月d日');
}

/** `2026-04-06` as 2026年4月6日. */
function chineseDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** At most one decimal, none when whole: 27, 92.5. */
function decimal(n: number): string {
  return String(Math.round(n * 10) / 10);
}
