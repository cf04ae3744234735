import { DomainError } from '../common/errors/domain-error';

/** Codes the verification page filter switches on (written out below too, where translations.spec finds them). */
export const CERTIFICATE_NOT_FOUND = 'CERTIFICATE_NOT_FOUND';
export const TOO_MANY_VERIFICATIONS = 'TOO_MANY_VERIFICATIONS';

export const CertificateErrors = {
  notFound: () => new DomainError('CERTIFICATE_NOT_FOUND', 'not_found'),
  /** A certificate looked up by id (not by code): 404 to anyone who may not see it. */
  notFoundById: () => new DomainError('CERTIFICATE_NOT_FOUND', 'not_found', { key: 'CERTIFICATE_NOT_FOUND#id' }),
  runNotFound: () => new DomainError('CERTIFICATE_RUN_NOT_FOUND', 'not_found'),
  alreadyRevoked: (revokedAt: Date) =>
    new DomainError('CERTIFICATE_ALREADY_REVOKED', 'conflict', { args: { revokedAt }, details: { revokedAt } }),
  /** Issuing is for completed classes only (eligibility says so per trainee). */
  classNotCompleted: (status: string) =>
    new DomainError('CERTIFICATES_CLASS_NOT_COMPLETED', 'conflict', { args: { status }, details: { status } }),
  /** Public verification: too many lookups from one client address (see CertificateVerifyThrottleService). */
  tooManyVerifications: (retryAfterSeconds: number) =>
    new DomainError('TOO_MANY_VERIFICATIONS', 'too_many_requests', {
      args: { seconds: retryAfterSeconds },
      details: { retryAfterSeconds },
    }),
  // Templates and PDFs (certificate-templates.service.ts, certificate-pdfs.service.ts)
  /** An uploaded template was refused: `reason` is stable (see TemplateProblem), `detail` says where. */
  templateInvalid: (reason: string, detail: string) =>
    new DomainError('CERTIFICATE_TEMPLATE_INVALID', 'invalid', {
      args: { reason, detail },
      details: { reason, detail },
    }),
  imageInvalid: () => new DomainError('CERTIFICATE_IMAGE_INVALID', 'invalid'),
  imageTooLarge: (maxBytes: number) =>
    new DomainError('CERTIFICATE_IMAGE_TOO_LARGE', 'payload_too_large', { args: { maxBytes }, details: { maxBytes } }),
  /** The class has no live certificate to print. */
  noneToPrint: () => new DomainError('CLASS_HAS_NO_CERTIFICATES', 'not_found'),
};
