import type { ClassStatus } from '../classes/classes.types';

/** Why a trainee may not have a certificate (stable codes clients switch on), in the order they are listed. */
export const INELIGIBILITY_REASONS = [
  'CLASS_NOT_COMPLETED',
  'WITHDRAWN',
  'ATTENDANCE_BELOW_THRESHOLD',
  'QUIZ_NOT_TAKEN',
  'QUIZ_NOT_PASSED',
  'ALREADY_CERTIFIED',
] as const;
export type IneligibilityReason = (typeof INELIGIBILITY_REASONS)[number];

/** What eligibility is decided from, for one trainee who held a seat in the class. */
export interface EligibilityInput {
  classStatus: ClassStatus;
  /** The trainee's enrolment: `completed` once the class completed, `withdrawn` when it left. */
  enrolmentStatus: 'confirmed' | 'completed' | 'withdrawn';
  /** From attendance's own rule (attendance-score.ts `score().meetsThreshold`: exact, in thousandths). */
  meetsAttendanceThreshold: boolean;
  /** The class's required quiz as this trainee did on it; null when the class requires none. */
  requiredQuiz: { attempted: boolean; passed: boolean } | null;
  hasLiveCertificate: boolean;
}

export interface Eligibility {
  eligible: boolean;
  reasons: IneligibilityReason[];
}

/**
 * A trainee may have a certificate when its class is completed, it did not withdraw, its
 * attendance meets the class's threshold, it passed the class's required quiz (if the class
 * names one), and it holds no live (unrevoked) certificate of the class yet. Every reason that
 * applies is listed, so a trainer sees at once all that stands in the way.
 */
export function eligibility(input: EligibilityInput): Eligibility {
  const reasons: IneligibilityReason[] = [];
  if (input.classStatus !== 'completed') reasons.push('CLASS_NOT_COMPLETED');
  if (input.enrolmentStatus === 'withdrawn') reasons.push('WITHDRAWN');
  if (!input.meetsAttendanceThreshold) reasons.push('ATTENDANCE_BELOW_THRESHOLD');
  if (input.requiredQuiz && !input.requiredQuiz.attempted) reasons.push('QUIZ_NOT_TAKEN');
  else if (input.requiredQuiz && !input.requiredQuiz.passed) reasons.push('QUIZ_NOT_PASSED');
  if (input.hasLiveCertificate) reasons.push('ALREADY_CERTIFIED');
  return { eligible: reasons.length === 0, reasons };
}
