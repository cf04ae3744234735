import type { Scenario } from '../scenario';
import { attendanceBulk, checkInBurst } from './attendance';
import { authMe } from './auth-me';
import { certificates } from './certificates';
import { dashboard } from './dashboard';
import { enrolmentBurst } from './enrolment-burst';
import { planSessions } from './plan-sessions';
import { quizDay } from './quiz-day';
import { reminders } from './reminders';
import { reports } from './reports';

/** Every scenario, in the order `npm run bench` runs them. Add one line per new scenario. */
export const scenarios: readonly Scenario[] = [
  authMe,
  planSessions,
  enrolmentBurst,
  attendanceBulk,
  checkInBurst,
  reminders,
  quizDay,
  certificates,
  reports,
  dashboard,
];
