import { AttendanceChange } from '../attendance/attendance-change.entity';
import { AttendanceRecord } from '../attendance/attendance-record.entity';
import { CheckInWindow } from '../attendance/check-in-window.entity';
import { PasswordResetCode } from '../auth/password-reset-code.entity';
import {
  Certificate,
  CertificateEvent,
  CertificateSerial,
  CertificateTemplate,
} from '../certificates/certificate.entity';
import { CertificateRun } from '../certificates/certificate-run.entity';
import { ClassSession } from '../classes/class-session.entity';
import { ClassTrainer } from '../classes/class-trainer.entity';
import { ClassTransition } from '../classes/class-transition.entity';
import { TrainingClass } from '../classes/training-class.entity';
import { IdempotencyKey } from '../common/idempotency/idempotency-key.entity';
import { Course } from '../courses/course.entity';
import { Enrolment } from '../enrolments/enrolment.entity';
import { OutreachEvent } from '../events/outreach-event.entity';
import { Import } from '../imports/import.entity';
import { Notification, NotificationPreference } from '../notifications/notification.entity';
import { OrgUnitContact } from '../org-units/org-unit-contact.entity';
import { OrgUnit } from '../org-units/org-unit.entity';
import { Plan } from '../plans/plan.entity';
import { AttemptAnswer, QuizAttempt } from '../quizzes/attempt.entity';
import { QuestionImage } from '../quizzes/question-image.entity';
import { Question } from '../quizzes/question.entity';
import { Quiz, QuizOverride, QuizQuestion } from '../quizzes/quiz.entity';
import { Survey } from '../surveys/survey.entity';
import { User } from '../users/user.entity';
import { Venue } from '../venues/venue.entity';
import { Visit } from '../visits/visit.entity';
import { WebSession } from '../web/web-session.entity';

/** Every entity, listed once for the app, the CLI and tests. */
export const entities = [
  OrgUnit,
  User,
  OrgUnitContact,
  IdempotencyKey,
  Survey,
  Course,
  Venue,
  Plan,
  TrainingClass,
  ClassTrainer,
  ClassTransition,
  ClassSession,
  Enrolment,
  Notification,
  NotificationPreference,
  AttendanceRecord,
  AttendanceChange,
  CheckInWindow,
  Visit,
  Import,
  QuestionImage,
  Question,
  Quiz,
  QuizQuestion,
  QuizOverride,
  QuizAttempt,
  AttemptAnswer,
  Certificate,
  CertificateSerial,
  CertificateEvent,
  CertificateTemplate,
  CertificateRun,
  OutreachEvent,
  WebSession,
  PasswordResetCode,
];
