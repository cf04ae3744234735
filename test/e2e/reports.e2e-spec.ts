import type { AttendanceStatus } from '../../src/attendance/attendance.types';
import { AttendanceRecord } from '../../src/attendance/attendance-record.entity';
import { Certificate } from '../../src/certificates/certificate.entity';
import { newVerificationCode } from '../../src/certificates/verification-code';
import type { ClassSession } from '../../src/classes/class-session.entity';
import type { TrainingClass } from '../../src/classes/training-class.entity';
import { currentYear } from '../../src/common/time/zoned-time';
import type { Enrolment } from '../../src/enrolments/enrolment.entity';
import { OutreachEvent } from '../../src/events/outreach-event.entity';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { User } from '../../src/users/user.entity';
import { Visit, type VisitStatus } from '../../src/visits/visit.entity';
import { createSession, seat } from '../factories/attendance';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { localInstant } from '../factories/dates';
import { createUnit, createUser, login, signedIn } from '../factories';
import { createAttempt, createQuiz } from '../factories/quizzes';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The summary, township and trend reports, correct by construction: a small year (2025, in the
 * past, so every session has been held and every due date has passed) is built record by record,
 * and every figure is checked against a number worked out by hand from the definitions in
 * docs/reports.md (not from the SQL). The comment beside each number says how it was counted.
 * (The CSV and XLSX township tables and the rotation report have their own tests.)
 *
 * The year, in the centre's zone (Asia/Shanghai, UTC+8):
 *
 *   测试省 > 平川市 (city admin) > 安平县 (county A, admin A) and 青河县 (county B, admin B)
 *   County A: 八里镇 (A1), 城关镇 (A2), 新集镇 (A3) with the village 杨庄村. County B: 柳林镇 (B1).
 *   Plans 2025: county A targets 4 classes, 150 person-times; county B 2 and 50. (County A's 2024
 *   plan targets 9 and 999: another year, never counted.)
 *
 *   C1, Q1, min 3 per township: 3 Mar, 10 Mar, 17 Mar (cancelled, with marks that must not count)
 *                  3 Mar    10 Mar   17 Mar✗    enrolment
 *     a1Keen       present  late     present    completed   (A1)
 *     a1Half       present  absent   present    completed   (A1)
 *     a1Withdrew   present  -        -          withdrawn   (A1: came, then withdrew)
 *     a2C1         present  present  -          completed   (A2)
 *     a2C3         excused  absent   present    confirmed   (A2)
 *     a1Inactive   -        -        -          completed   (A1, account inactive)
 *   C2, spans Q1/Q2, min 2: 28 Mar 09:00, 31 Mar 23:30 (Q1), 1 Apr 00:30 (31 Mar 16:30 UTC: Q2), 15 Apr
 *                  28 Mar   31 Mar   1 Apr    15 Apr
 *     a2C2         present  present  late     present    completed   (A2)
 *     a3Office     present  late     present  absent     completed   (A3)
 *     villager     absent   absent   present  present    completed   (A3, lives in 杨庄村)
 *   C3, Q2, min 1: 24 Mar (cancelled: the class still begins in Q2), 12 May, 19 May
 *     a2C3         present on 12 May, late on 19 May, completed
 *   C4: a class cancelled in June (its session cancelled): adds nothing.
 *   County B's class, 10 May, min 2: b1 and b2 present, completed.
 *   County A's 2024 class: a2LastYear present on 5 Nov 2024, completed (trained in 2024, not 2025).
 *
 *   Events: 15 Feb lecture at the county A library 50; 31 Mar in 杨庄村 20; 10 Apr in 柳林镇 (county B)
 *   40; 20 May in 八里镇 30; 31 Dec 2024 in 城关镇 70 (another year).
 *   Quizzes: C1's quiz (grading `last`, pass 60, closed 20 Mar): a1Keen 80, a1Half 60 (exactly the
 *   mark), a2C1 90 then 40 (last: 40, fails; highest would pass), a2C3 only an unfinished attempt.
 *   C3's quiz (highest, closed 25 May): a2C3 70. C2's contest (closed 30 Mar): a2C2 100, a3Office 30.
 *   Certificates: a1Keen (C1) 25 Mar; a2C1 (C1) 25 Mar, revoked; a2C2 (C2) 1 Apr 01:00 local
 *   (31 Mar UTC); a3Office (C2) 1 Jan 2026 00:30 local (31 Dec 2025 UTC: another year).
 *   Visits: C1/A1 done on 28 Mar (due 15 Apr); C1/A2 assigned, due 30 Apr; C3/A2 stored `overdue`,
 *   due 15 Jun; C2/A3 cancelled, due 10 May; C2/A2 assigned, due 15 Jan 2026 (another year).
 */

const ZONE = 'Asia/Shanghai';
const YEAR = 2025;

interface Figures {
  classesHeld: number;
  sessionsHeld: number;
  personTimesFromAttendance: number;
  personTimesFromEvents: number;
  personTimes: number;
  uniqueTrainees: number;
  rotationStaff: number;
  rotationTrained: number;
  rotationCoverage: number | null;
  quizGraded: number;
  quizPassed: number;
  quizPassRate: number | null;
  certificatesIssued: number;
  visitsDone: number;
  visitsOverdue: number;
}

interface Summary extends Figures {
  townshipsCovered: number | null;
  townshipsTotal: number | null;
  townshipCoverage: number | null;
  targets: { classes: number | null; personTimes: number | null };
  progress: { classes: number | null; personTimes: number | null };
}

interface Row extends Figures {
  townshipId: string;
  name: string;
  parentId: string | null;
  parentName: string | null;
  covered: boolean;
}

const NO_TARGETS = { targets: { classes: null, personTimes: null }, progress: { classes: null, personTimes: null } };

/** County A (安平县): the whole year, Q1 and Q2. */
const COUNTY_A: Record<'year' | 'q1' | 'q2', Summary> = {
  year: {
    classesHeld: 3, // C1, C2, C3 (C4 cancelled: never held)
    sessionsHeld: 8, // C1: 2 (17 Mar cancelled), C2: 4, C3: 2 (24 Mar cancelled)
    personTimesFromAttendance: 17, // Q1 10 + Q2 7
    personTimesFromEvents: 100, // 50 (county library) + 20 (village) + 30 (八里镇); not county B's 40 nor 2024's 70
    personTimes: 117, // 17 + 100
    uniqueTrainees: 8, // a1Keen, a1Half, a1Withdrew, a2C1, a2C2, a2C3, a3Office, villager
    townshipsCovered: 3, // A1 (C1: 3 of 3, the withdrawn one included), A2 (C3: 1 of 1), A3 (C2: 2 of 2)
    townshipsTotal: 3,
    townshipCoverage: 1,
    rotationStaff: 9, // A1 3 (a1Inactive not), A2 4, A3 2 (the villager included)
    rotationTrained: 7, // completed a 2025 class: a1Keen, a1Half, a2C1, a2C2, a2C3, a3Office, villager
    rotationCoverage: 0.778, // 7 / 9
    quizGraded: 4, // C1's quiz: a1Keen, a1Half, a2C1; C3's: a2C3 (the contest not counted)
    quizPassed: 3, // 80, 60 (at the mark), 70 pass; a2C1's last 40 fails
    quizPassRate: 0.75, // 3 / 4
    certificatesIssued: 2, // a1Keen (25 Mar), a2C2 (1 Apr local); a2C1's revoked, a3Office's is 2026 locally
    visitsDone: 1, // C1/A1 on 28 Mar
    visitsOverdue: 2, // C1/A2 due 30 Apr, C3/A2 due 15 Jun; not the cancelled one nor the 2026 one
    targets: { classes: 4, personTimes: 150 },
    progress: { classes: 0.75, personTimes: 0.78 }, // 3 / 4, 117 / 150
  },
  q1: {
    classesHeld: 2, // C1; C2 (first held session 28 Mar). C3's first session (24 Mar) was cancelled
    sessionsHeld: 4, // 3 Mar, 10 Mar, 28 Mar, 31 Mar 23:30
    personTimesFromAttendance: 10, // 3 Mar: 4; 10 Mar: 2 (late counts); 28 Mar: 2; 31 Mar: 2. Not 17 Mar's 3
    personTimesFromEvents: 70, // 15 Feb 50 + 31 Mar 20
    personTimes: 80,
    uniqueTrainees: 6, // a1Keen, a1Half, a1Withdrew, a2C1, a2C2, a3Office (a2C3 only excused, absent, or cancelled)
    townshipsCovered: 2, // A1 by C1 (3 of 3 with the withdrawn one); A3 by C2 (the villager came in April); not A2
    townshipsTotal: 3,
    townshipCoverage: 0.667, // 2 / 3
    rotationStaff: 9,
    rotationTrained: 3, // classes ended by 31 Mar: C1 (a1Keen, a1Half, a2C1); C2 ended 18 Apr
    rotationCoverage: 0.333, // 3 / 9
    quizGraded: 3, // C1's quiz closed 20 Mar: a1Keen, a1Half, a2C1 (a2C3 never finished)
    quizPassed: 2,
    quizPassRate: 0.667,
    certificatesIssued: 1, // a1Keen's
    visitsDone: 1,
    visitsOverdue: 0, // nothing due in Q1
    targets: { classes: 4, personTimes: 150 }, // still the year's
    progress: { classes: 0.5, personTimes: 0.533 }, // 2 / 4, 80 / 150
  },
  q2: {
    classesHeld: 1, // C3 only: C2 was counted in Q1
    sessionsHeld: 4, // 1 Apr 00:30, 15 Apr, 12 May, 19 May
    personTimesFromAttendance: 7, // 1 Apr: 3; 15 Apr: 2; 12 May: 1; 19 May: 1
    personTimesFromEvents: 30, // 20 May in 八里镇 (county B's 10 Apr is not county A's)
    personTimes: 37,
    uniqueTrainees: 4, // a2C2, a3Office, villager, a2C3
    townshipsCovered: 1, // A2 by C3 (1 of min 1)
    townshipsTotal: 3,
    townshipCoverage: 0.333,
    rotationStaff: 9,
    rotationTrained: 7, // cumulative: classes ended by 30 Jun
    rotationCoverage: 0.778,
    quizGraded: 1, // C3's quiz: a2C3
    quizPassed: 1,
    quizPassRate: 1,
    certificatesIssued: 1, // a2C2's, 1 Apr 01:00 local
    visitsDone: 0,
    visitsOverdue: 2, // due 30 Apr and 15 Jun
    targets: { classes: 4, personTimes: 150 },
    progress: { classes: 0.25, personTimes: 0.247 }, // 1 / 4, 37 / 150
  },
};

/** The city (平川市): both counties, the whole year. */
const CITY_YEAR: Summary = {
  classesHeld: 4, // county A's 3 + county B's 1
  sessionsHeld: 9, // 8 + 1
  personTimesFromAttendance: 19, // 17 + 2
  personTimesFromEvents: 140, // 100 + county B's 40
  personTimes: 159,
  uniqueTrainees: 10, // 8 + b1, b2
  townshipsCovered: 4, // A1, A2, A3, and B1 (2 of min 2)
  townshipsTotal: 4,
  townshipCoverage: 1,
  rotationStaff: 11, // 9 + 2
  rotationTrained: 9, // 7 + 2
  rotationCoverage: 0.818, // 9 / 11
  quizGraded: 4,
  quizPassed: 3,
  quizPassRate: 0.75,
  certificatesIssued: 2,
  visitsDone: 1,
  visitsOverdue: 2,
  targets: { classes: 6, personTimes: 200 }, // 4 + 2, 150 + 50
  progress: { classes: 0.667, personTimes: 0.795 }, // 4 / 6, 159 / 200
};

/** 新集镇 (A3), a township with a village: a3Office and the villager, and the village's event. */
const TOWNSHIP_A3: Record<'year' | 'q1' | 'q2', Summary> = {
  year: {
    classesHeld: 1, // C2
    sessionsHeld: 4, // every C2 session had one of them
    personTimesFromAttendance: 5, // a3Office 3, villager 2
    personTimesFromEvents: 20, // held in its village
    personTimes: 25,
    uniqueTrainees: 2,
    townshipsCovered: 1,
    townshipsTotal: 1,
    townshipCoverage: 1,
    rotationStaff: 2,
    rotationTrained: 2,
    rotationCoverage: 1,
    quizGraded: 0, // the contest does not count
    quizPassed: 0,
    quizPassRate: null,
    certificatesIssued: 0, // a3Office's is of 2026
    visitsDone: 0,
    visitsOverdue: 0, // its visit was cancelled
    ...NO_TARGETS, // targets are the county's
  },
  q1: {
    classesHeld: 1, // C2 began in Q1
    sessionsHeld: 2, // 28 Mar, 31 Mar 23:30
    personTimesFromAttendance: 2, // a3Office twice
    personTimesFromEvents: 20, // 31 Mar in the village
    personTimes: 22,
    uniqueTrainees: 1,
    townshipsCovered: 1, // two came to C2 (the villager only in April: any session of the class counts)
    townshipsTotal: 1,
    townshipCoverage: 1,
    rotationStaff: 2,
    rotationTrained: 0, // C2 ended 18 Apr
    rotationCoverage: 0,
    quizGraded: 0,
    quizPassed: 0,
    quizPassRate: null,
    certificatesIssued: 0,
    visitsDone: 0,
    visitsOverdue: 0,
    ...NO_TARGETS,
  },
  q2: {
    classesHeld: 0, // C2 is Q1's
    sessionsHeld: 2, // 1 Apr 00:30, 15 Apr
    personTimesFromAttendance: 3, // 1 Apr: both; 15 Apr: the villager
    personTimesFromEvents: 0,
    personTimes: 3,
    uniqueTrainees: 2,
    townshipsCovered: 0, // no class of its began in Q2
    townshipsTotal: 1,
    townshipCoverage: 0,
    rotationStaff: 2,
    rotationTrained: 2,
    rotationCoverage: 1,
    quizGraded: 0,
    quizPassed: 0,
    quizPassRate: null,
    certificatesIssued: 0,
    visitsDone: 0,
    visitsOverdue: 0,
    ...NO_TARGETS,
  },
};

/** 杨庄村, the village: its one trainee and its event; no coverage and no visits (a township's). */
const VILLAGE: Record<'year' | 'q1' | 'q2', Summary> = {
  year: {
    classesHeld: 1, // C2, which the villager came to
    sessionsHeld: 2, // 1 Apr 00:30, 15 Apr
    personTimesFromAttendance: 2,
    personTimesFromEvents: 20,
    personTimes: 22,
    uniqueTrainees: 1,
    townshipsCovered: null,
    townshipsTotal: null,
    townshipCoverage: null,
    rotationStaff: 1,
    rotationTrained: 1,
    rotationCoverage: 1,
    quizGraded: 0,
    quizPassed: 0,
    quizPassRate: null,
    certificatesIssued: 0,
    visitsDone: 0,
    visitsOverdue: 0,
    ...NO_TARGETS,
  },
  q1: {
    classesHeld: 1, // C2 began in Q1 and the villager came to it (in April)
    sessionsHeld: 0, // absent both times in March
    personTimesFromAttendance: 0,
    personTimesFromEvents: 20, // 31 Mar
    personTimes: 20,
    uniqueTrainees: 0,
    townshipsCovered: null,
    townshipsTotal: null,
    townshipCoverage: null,
    rotationStaff: 1,
    rotationTrained: 0,
    rotationCoverage: 0,
    quizGraded: 0,
    quizPassed: 0,
    quizPassRate: null,
    certificatesIssued: 0,
    visitsDone: 0,
    visitsOverdue: 0,
    ...NO_TARGETS,
  },
  q2: {
    classesHeld: 0,
    sessionsHeld: 2,
    personTimesFromAttendance: 2,
    personTimesFromEvents: 0,
    personTimes: 2,
    uniqueTrainees: 1,
    townshipsCovered: null,
    townshipsTotal: null,
    townshipCoverage: null,
    rotationStaff: 1,
    rotationTrained: 1,
    rotationCoverage: 1,
    quizGraded: 0,
    quizPassed: 0,
    quizPassRate: null,
    certificatesIssued: 0,
    visitsDone: 0,
    visitsOverdue: 0,
    ...NO_TARGETS,
  },
};

/** The township table of county A: per township (A1, A2, A3), the figures of each period. */
const TOWNSHIP_ROWS: Record<'year' | 'q1' | 'q2', Record<'a1' | 'a2' | 'a3', Figures & { covered: boolean }>> = {
  year: {
    // 八里镇: C1's three came (one withdrew later); the 20 May event; C1/A1 visit done.
    a1: {
      classesHeld: 1,
      sessionsHeld: 2, // 3 Mar, 10 Mar
      personTimesFromAttendance: 4, // a1Keen 2, a1Half 1, a1Withdrew 1
      personTimesFromEvents: 30,
      personTimes: 34,
      uniqueTrainees: 3,
      covered: true,
      rotationStaff: 3, // a1Keen, a1Half, a1Withdrew (a1Inactive not)
      rotationTrained: 2, // a1Keen, a1Half
      rotationCoverage: 0.667,
      quizGraded: 2, // a1Keen 80, a1Half 60
      quizPassed: 2,
      quizPassRate: 1,
      certificatesIssued: 1, // a1Keen's
      visitsDone: 1,
      visitsOverdue: 0,
    },
    // 城关镇: a2C1 in C1, a2C2 in C2, a2C3 in C3; a2LastYear trained in 2024 only.
    a2: {
      classesHeld: 3, // C1, C2, C3
      sessionsHeld: 8, // C1: 3 and 10 Mar; C2: all four; C3: 12 and 19 May
      personTimesFromAttendance: 8, // a2C1 2, a2C2 4, a2C3 2
      personTimesFromEvents: 0, // its event is dated 2024
      personTimes: 8,
      uniqueTrainees: 3,
      covered: true, // by C3 (min 1); not by C1 (1 of 3) nor C2 (1 of 2)
      rotationStaff: 4, // a2C1, a2C2, a2C3, a2LastYear
      rotationTrained: 3,
      rotationCoverage: 0.75,
      quizGraded: 2, // a2C1 (last 40), a2C3 (70)
      quizPassed: 1,
      quizPassRate: 0.5,
      certificatesIssued: 1, // a2C2's (a2C1's revoked)
      visitsDone: 0,
      visitsOverdue: 2, // C1/A2, C3/A2
    },
    // 新集镇: see TOWNSHIP_A3.year.
    a3: {
      classesHeld: 1,
      sessionsHeld: 4,
      personTimesFromAttendance: 5,
      personTimesFromEvents: 20,
      personTimes: 25,
      uniqueTrainees: 2,
      covered: true,
      rotationStaff: 2,
      rotationTrained: 2,
      rotationCoverage: 1,
      quizGraded: 0,
      quizPassed: 0,
      quizPassRate: null,
      certificatesIssued: 0,
      visitsDone: 0,
      visitsOverdue: 0,
    },
  },
  q1: {
    a1: {
      classesHeld: 1,
      sessionsHeld: 2,
      personTimesFromAttendance: 4,
      personTimesFromEvents: 0,
      personTimes: 4,
      uniqueTrainees: 3,
      covered: true,
      rotationStaff: 3,
      rotationTrained: 2, // C1 ended 21 Mar
      rotationCoverage: 0.667,
      quizGraded: 2,
      quizPassed: 2,
      quizPassRate: 1,
      certificatesIssued: 1,
      visitsDone: 1,
      visitsOverdue: 0,
    },
    a2: {
      classesHeld: 2, // C1 (a2C1), C2 (a2C2)
      sessionsHeld: 4, // 3 Mar, 10 Mar, 28 Mar, 31 Mar
      personTimesFromAttendance: 4, // a2C1 2, a2C2 2
      personTimesFromEvents: 0,
      personTimes: 4,
      uniqueTrainees: 2,
      covered: false, // C1: 1 of 3 (a2C3 excused, absent, and present only at the cancelled one); C2: 1 of 2
      rotationStaff: 4,
      rotationTrained: 1, // a2C1 (C1)
      rotationCoverage: 0.25,
      quizGraded: 1, // a2C1
      quizPassed: 0,
      quizPassRate: 0,
      certificatesIssued: 0,
      visitsDone: 0,
      visitsOverdue: 0,
    },
    a3: {
      classesHeld: 1,
      sessionsHeld: 2,
      personTimesFromAttendance: 2,
      personTimesFromEvents: 20,
      personTimes: 22,
      uniqueTrainees: 1,
      covered: true,
      rotationStaff: 2,
      rotationTrained: 0,
      rotationCoverage: 0,
      quizGraded: 0,
      quizPassed: 0,
      quizPassRate: null,
      certificatesIssued: 0,
      visitsDone: 0,
      visitsOverdue: 0,
    },
  },
  q2: {
    a1: {
      classesHeld: 0,
      sessionsHeld: 0,
      personTimesFromAttendance: 0,
      personTimesFromEvents: 30, // 20 May
      personTimes: 30,
      uniqueTrainees: 0,
      covered: false,
      rotationStaff: 3,
      rotationTrained: 2,
      rotationCoverage: 0.667,
      quizGraded: 0,
      quizPassed: 0,
      quizPassRate: null,
      certificatesIssued: 0,
      visitsDone: 0,
      visitsOverdue: 0,
    },
    a2: {
      classesHeld: 1, // C3
      sessionsHeld: 4, // 1 Apr, 15 Apr (a2C2), 12 May, 19 May (a2C3)
      personTimesFromAttendance: 4,
      personTimesFromEvents: 0,
      personTimes: 4,
      uniqueTrainees: 2,
      covered: true,
      rotationStaff: 4,
      rotationTrained: 3,
      rotationCoverage: 0.75,
      quizGraded: 1, // a2C3 on C3's quiz
      quizPassed: 1,
      quizPassRate: 1,
      certificatesIssued: 1, // a2C2's
      visitsDone: 0,
      visitsOverdue: 2,
    },
    a3: {
      classesHeld: 0,
      sessionsHeld: 2,
      personTimesFromAttendance: 3,
      personTimesFromEvents: 0,
      personTimes: 3,
      uniqueTrainees: 2,
      covered: false,
      rotationStaff: 2,
      rotationTrained: 2,
      rotationCoverage: 1,
      quizGraded: 0,
      quizPassed: 0,
      quizPassRate: null,
      certificatesIssued: 0,
      visitsDone: 0,
      visitsOverdue: 0,
    },
  },
};

/** Head counts of events held by county A's own library (above its townships), per period. */
const OUTSIDE_TOWNSHIPS = { year: 50, q1: 50, q2: 0 };

/** Trends of county A: month -> [sessions held, person-times from attendance, from events]. */
const TREND_MONTHS: Record<number, [number, number, number]> = {
  2: [0, 0, 50], // the county library's lecture
  3: [4, 10, 20], // 3, 10, 28 Mar and 31 Mar 23:30; the village's event
  4: [2, 5, 0], // 1 Apr 00:30 (31 Mar in UTC) with 3, 15 Apr with 2; county B's event not here
  5: [2, 2, 30], // C3 twice; 八里镇's event
};

const PERIODS = { year: {}, q1: { quarter: 1 }, q2: { quarter: 2 } } as const;
type Period = keyof typeof PERIODS;

/** The figures a township row and the totals add up (docs/reports.md, "The township table"). */
const ADDITIVE = [
  'personTimesFromAttendance',
  'uniqueTrainees',
  'rotationStaff',
  'rotationTrained',
  'quizGraded',
  'quizPassed',
  'certificatesIssued',
  'visitsDone',
  'visitsOverdue',
] as const;

describe('report figures: a year worked out by hand (e2e)', () => {
  let t: TestApp;
  let w: Awaited<ReturnType<typeof buildYear>>;

  beforeAll(async () => {
    t = await startTestApp({ TZ_DEFAULT: ZONE });
    w = await buildYear();
  }, 120_000);
  afterAll(() => t?.close());

  const get = (path: string, auth: string, query: Record<string, unknown> = {}) =>
    t.http.get(`/api/reports/${path}`).query(query).set('Authorization', auth);

  const unitOf = (u: OrgUnit) => ({ id: u.id, name: u.name, kind: u.kind });

  /** The header of a summary or table for `unit` and `period` of 2025. */
  function header(unit: OrgUnit, period: Period) {
    const bounds = {
      year: ['2025-01-01', '2025-12-31'],
      q1: ['2025-01-01', '2025-03-31'],
      q2: ['2025-04-01', '2025-06-30'],
    };
    return {
      year: YEAR,
      quarter: period === 'year' ? null : PERIODS[period].quarter,
      from: bounds[period][0],
      to: bounds[period][1],
      orgUnit: unitOf(unit),
      asOf: expect.stringMatching(/\+08:00$/),
    };
  }

  // ---- The year ----

  async function buildYear() {
    const ds = t.ds;
    const province = await createUnit(ds, null, 'province', '测试省');
    const city = await createUnit(ds, province, 'city', '平川市');
    const countyA = await createUnit(ds, city, 'county', '安平县');
    const a1 = await createUnit(ds, countyA, 'township', '八里镇');
    const a2 = await createUnit(ds, countyA, 'township', '城关镇');
    const a3 = await createUnit(ds, countyA, 'township', '新集镇');
    const village = await createUnit(ds, a3, 'village', '杨庄村');
    const countyB = await createUnit(ds, city, 'county', '青河县');
    const b1Township = await createUnit(ds, countyB, 'township', '柳林镇');

    const cityAdmin = await signedIn(t.http, ds, { role: 'admin', orgUnitId: city.id });
    const adminA = await signedIn(t.http, ds, { role: 'admin', orgUnitId: countyA.id });
    const adminB = await signedIn(t.http, ds, { role: 'admin', orgUnitId: countyB.id });
    const trainerA = await signedIn(t.http, ds, { role: 'trainer', orgUnitId: countyA.id });
    const trainerB = await createUser(ds, { role: 'trainer', orgUnitId: countyB.id });

    const trainee = (unit: OrgUnit, displayName: string, active = true) =>
      createUser(ds, { role: 'trainee', orgUnitId: unit.id, displayName, active });
    const people = {
      a1Keen: await trainee(a1, '王一'),
      a1Half: await trainee(a1, '王二'),
      a1Withdrew: await trainee(a1, '王三'),
      a1Inactive: await trainee(a1, '王四', false),
      a2C1: await trainee(a2, '李一'),
      a2C3: await trainee(a2, '李二'),
      a2C2: await trainee(a2, '李三'),
      a2LastYear: await trainee(a2, '李四'),
      a3Office: await trainee(a3, '赵一'),
      villager: await trainee(village, '赵二'),
      b1: await trainee(b1Township, '刘一'),
      b2: await trainee(b1Township, '刘二'),
    };

    const planA = await createPlan(ds, countyA, YEAR, { targetClasses: 4, targetPersonTimes: 150 });
    const planB = await createPlan(ds, countyB, YEAR, { targetClasses: 2, targetPersonTimes: 50 });
    const planA2024 = await createPlan(ds, countyA, YEAR - 1, { targetClasses: 9, targetPersonTimes: 999 });
    const courseA = await createCourse(ds, countyA);
    const courseB = await createCourse(ds, countyB);
    /** A class of the plan, completed unless `extra` says otherwise, at most 5 per township. */
    const cls = (
      plan: typeof planA,
      quarter: number,
      startDate: string,
      endDate: string,
      min: number,
      extra: Partial<TrainingClass> = {},
    ) =>
      createClass(ds, plan, plan === planB ? courseB : courseA, [plan === planB ? trainerB.id : trainerA.user.id], {
        title: `${startDate} 培训班`,
        quarter,
        startDate,
        endDate,
        minPerTownship: min,
        maxPerTownship: 5,
        status: 'completed',
        ...extra,
      });
    const c1 = await cls(planA, 1, '2025-03-03', '2025-03-21', 3);
    const c2 = await cls(planA, 1, '2025-03-28', '2025-04-18', 2);
    const c3 = await cls(planA, 2, '2025-05-12', '2025-05-30', 1);
    const c4 = await cls(planA, 2, '2025-06-02', '2025-06-20', 1, { status: 'cancelled' });
    const cB = await cls(planB, 2, '2025-05-10', '2025-05-10', 2);
    const c2024 = await cls(planA2024, 4, '2024-11-05', '2024-11-05', 1);

    /** A session starting at a local date and time, an hour long. */
    const session = (c: TrainingClass, date: string, time: string, cancelled = false) => {
      const startsAt = localInstant(date, time);
      return createSession(ds, c, c === cB ? trainerB.id : trainerA.user.id, 0, {
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3_600_000),
        ...(cancelled && { status: 'cancelled' as const, cancelledAt: startsAt }),
      });
    };
    const s = {
      c1Mar3: await session(c1, '2025-03-03', '09:00'),
      c1Mar10: await session(c1, '2025-03-10', '09:00'),
      c1Mar17Cancelled: await session(c1, '2025-03-17', '09:00', true),
      c2Mar28: await session(c2, '2025-03-28', '09:00'),
      c2Mar31Late: await session(c2, '2025-03-31', '23:30'),
      c2Apr1Midnight: await session(c2, '2025-04-01', '00:30'),
      c2Apr15: await session(c2, '2025-04-15', '09:00'),
      c3Mar24Cancelled: await session(c3, '2025-03-24', '09:00', true),
      c3May12: await session(c3, '2025-05-12', '09:00'),
      c3May19: await session(c3, '2025-05-19', '09:00'),
      c4Jun2Cancelled: await session(c4, '2025-06-02', '09:00', true),
      cBMay10: await session(cB, '2025-05-10', '09:00'),
      c2024Nov5: await session(c2024, '2024-11-05', '09:00'),
    };

    const e = {
      a1Keen: await seat(ds, c1, people.a1Keen, a1, 'completed'),
      a1Half: await seat(ds, c1, people.a1Half, a1, 'completed'),
      a1Withdrew: await seat(ds, c1, people.a1Withdrew, a1, 'withdrawn'),
      a1Inactive: await seat(ds, c1, people.a1Inactive, a1, 'completed'),
      a2C1: await seat(ds, c1, people.a2C1, a2, 'completed'),
      a2C3InC1: await seat(ds, c1, people.a2C3, a2, 'confirmed'),
      a2C2: await seat(ds, c2, people.a2C2, a2, 'completed'),
      a3Office: await seat(ds, c2, people.a3Office, a3, 'completed'),
      villager: await seat(ds, c2, people.villager, a3, 'completed'),
      a2C3: await seat(ds, c3, people.a2C3, a2, 'completed'),
      b1: await seat(ds, cB, people.b1, b1Township, 'completed'),
      b2: await seat(ds, cB, people.b2, b1Township, 'completed'),
      a2LastYear: await seat(ds, c2024, people.a2LastYear, a2, 'completed'),
    };

    const mark = (session: ClassSession, marks: [Enrolment, AttendanceStatus][]) =>
      ds.getRepository(AttendanceRecord).insert(
        marks.map(([enrolment, status]) => ({
          sessionId: session.id,
          enrolmentId: enrolment.id,
          status,
          source: 'trainer' as const,
          recordedBy: trainerA.user.id,
        })),
      );
    await mark(s.c1Mar3, [
      [e.a1Keen, 'present'],
      [e.a1Half, 'present'],
      [e.a1Withdrew, 'present'],
      [e.a2C1, 'present'],
      [e.a2C3InC1, 'excused'],
    ]);
    await mark(s.c1Mar10, [
      [e.a1Keen, 'late'],
      [e.a1Half, 'absent'],
      [e.a2C1, 'present'],
      [e.a2C3InC1, 'absent'],
    ]);
    // Marked, then the session was cancelled: none of these is a person-time.
    await mark(s.c1Mar17Cancelled, [
      [e.a1Keen, 'present'],
      [e.a1Half, 'present'],
      [e.a2C3InC1, 'present'],
    ]);
    await mark(s.c2Mar28, [
      [e.a2C2, 'present'],
      [e.a3Office, 'present'],
      [e.villager, 'absent'],
    ]);
    await mark(s.c2Mar31Late, [
      [e.a2C2, 'present'],
      [e.a3Office, 'late'],
      [e.villager, 'absent'],
    ]);
    await mark(s.c2Apr1Midnight, [
      [e.a2C2, 'late'],
      [e.a3Office, 'present'],
      [e.villager, 'present'],
    ]);
    await mark(s.c2Apr15, [
      [e.a2C2, 'present'],
      [e.a3Office, 'absent'],
      [e.villager, 'present'],
    ]);
    await mark(s.c3May12, [[e.a2C3, 'present']]);
    await mark(s.c3May19, [[e.a2C3, 'late']]);
    await mark(s.cBMay10, [
      [e.b1, 'present'],
      [e.b2, 'present'],
    ]);
    await mark(s.c2024Nov5, [[e.a2LastYear, 'present']]);

    const event = (unit: OrgUnit, date: string, headCount: number) =>
      ds.getRepository(OutreachEvent).insert({
        kind: 'lecture',
        title: `${unit.name}讲座`,
        date,
        orgUnitId: unit.id,
        headCount,
        createdBy: adminA.user.id,
      });
    await event(countyA, '2025-02-15', 50); // the county library's own lecture
    await event(village, '2025-03-31', 20);
    await event(countyB, '2025-04-10', 40); // county B: the city's, never county A's
    await event(a1, '2025-05-20', 30);
    await event(a2, '2024-12-31', 70); // another year

    // Quizzes: C1's (`last`), C3's (`highest`), C2's contest.
    const c1Quiz = await createQuiz(ds, c1, {
      gradingMethod: 'last',
      passPercent: 60,
      attemptsAllowed: 3,
      opensAt: localInstant('2025-03-10', '10:00'),
      closesAt: localInstant('2025-03-20', '18:00'),
    });
    /** An attempt scoring `score` of 10 (a tenth of the percent), finished that day; null: never finished. */
    const attempt = (quiz: typeof c1Quiz, enrolment: Enrolment, score: number | null, finishedOn: string, number = 1) =>
      createAttempt(ds, quiz, {
        traineeId: enrolment.traineeId,
        townshipId: enrolment.townshipId,
        number,
        startedAt: localInstant(finishedOn, '09:00'),
        finishedAt: score === null ? null : localInstant(finishedOn, '09:30'),
        ...(score !== null && { score }),
        maxScore: 10,
      });
    await attempt(c1Quiz, e.a1Keen, 8, '2025-03-11');
    await attempt(c1Quiz, e.a1Half, 6, '2025-03-11');
    await attempt(c1Quiz, e.a2C1, 9, '2025-03-12', 1);
    await attempt(c1Quiz, e.a2C1, 4, '2025-03-14', 2);
    await attempt(c1Quiz, e.a2C3InC1, null, '2025-03-15');
    const c3Quiz = await createQuiz(ds, c3, {
      gradingMethod: 'highest',
      passPercent: 60,
      opensAt: localInstant('2025-05-19', '10:00'),
      closesAt: localInstant('2025-05-25', '18:00'),
    });
    await attempt(c3Quiz, e.a2C3, 7, '2025-05-20');
    const contest = await createQuiz(ds, c2, {
      mode: 'contest',
      opensAt: localInstant('2025-03-28', '10:00'),
      closesAt: localInstant('2025-03-30', '18:00'),
    });
    await attempt(contest, e.a2C2, 10, '2025-03-29');
    await attempt(contest, e.a3Office, 3, '2025-03-29');

    let serial = 0;
    const certificate = (c: TrainingClass, trainee: User, issuedAt: Date, revokedAt: Date | null = null) =>
      ds.getRepository(Certificate).insert({
        classId: c.id,
        traineeId: trainee.id,
        centreId: countyA.id,
        serial: `2025-R-${String(++serial).padStart(4, '0')}`,
        code: newVerificationCode(),
        snapshot: {
          name: trainee.displayName,
          township: null,
          course: courseA.title,
          classTitle: c.title,
          startDate: c.startDate,
          endDate: c.endDate,
          hours: 12,
          sessionsAttended: 2,
          sessionsHeld: 2,
          attendanceRate: 1,
          score: null,
          centre: countyA.name,
        },
        issuedAt,
        issuedBy: adminA.user.id,
        revokedAt,
        revokedBy: revokedAt && adminA.user.id,
        revokeReason: revokedAt && '信息有误',
      });
    await certificate(c1, people.a1Keen, localInstant('2025-03-25', '10:00'));
    await certificate(c1, people.a2C1, localInstant('2025-03-25', '10:00'), localInstant('2025-04-02', '10:00'));
    await certificate(c2, people.a2C2, new Date('2025-03-31T17:00:00Z')); // 1 Apr 01:00 local
    await certificate(c2, people.a3Office, new Date('2025-12-31T16:30:00Z')); // 1 Jan 2026 00:30 local

    const visit = (c: TrainingClass, township: OrgUnit, dueOn: string, status: VisitStatus, on?: string) =>
      ds.getRepository(Visit).insert({
        classId: c.id,
        townshipId: township.id,
        assigneeId: trainerA.user.id,
        dueOn,
        status,
        visitedOn: status === 'done' ? on : null,
        reportedAt: status === 'done' ? localInstant(on!, '18:00') : null,
        reportedBy: status === 'done' ? trainerA.user.id : null,
        cancelledAt: status === 'cancelled' ? localInstant(on!, '18:00') : null,
        cancelReason: status === 'cancelled' ? '乡镇合并' : null,
      });
    await visit(c1, a1, '2025-04-15', 'done', '2025-03-28');
    await visit(c1, a2, '2025-04-30', 'assigned');
    await visit(c3, a2, '2025-06-15', 'overdue');
    await visit(c2, a3, '2025-05-10', 'cancelled', '2025-04-20');
    await visit(c2, a2, '2026-01-15', 'assigned');

    return {
      city,
      countyA,
      countyB,
      a1,
      a2,
      a3,
      village,
      cityAdmin,
      adminA,
      adminB,
      trainerA,
      courseA,
      people,
      trainee: { auth: `Bearer ${await login(t.http, people.a1Keen.username)}` },
    };
  }

  /** A township row of county A's table. */
  const row = (unit: OrgUnit, figures: Figures & { covered: boolean }): Row => ({
    townshipId: unit.id,
    name: unit.name,
    parentId: w.countyA.id,
    parentName: '安平县',
    ...figures,
  });

  const periods = Object.keys(PERIODS) as Period[];

  describe('county A', () => {
    it.each(periods)('summary (%s): every figure', async (period) => {
      const res = await get('summary', w.adminA.auth, { year: YEAR, ...PERIODS[period] }).expect(200);
      expect(res.body).toEqual({ ...header(w.countyA, period), ...COUNTY_A[period] });
    });

    it("is the same read by the city's admin", async () => {
      const own = (await get('summary', w.adminA.auth, { year: YEAR }).expect(200)).body;
      const fromCity = (await get('summary', w.cityAdmin.auth, { year: YEAR, orgUnitId: w.countyA.id }).expect(200))
        .body;
      expect({ ...fromCity, asOf: null }).toEqual({ ...own, asOf: null });
    });

    it.each(periods)('township table (%s): every row, rows adding up to the totals', async (period) => {
      const body = (await get('townships', w.adminA.auth, { year: YEAR, ...PERIODS[period] }).expect(200)).body;
      const items = body.items as Row[];
      const sum = (key: keyof Figures) => items.reduce((acc, r) => acc + (r[key] as number), 0);
      // Additive figures: the rows add up to the totals; events above the townships are only in the totals.
      for (const key of ADDITIVE) expect({ key, rows: sum(key) }).toEqual({ key, rows: body.totals[key] });
      const outside = body.personTimesFromEventsOutsideTownships;
      expect(sum('personTimesFromEvents') + outside).toBe(body.totals.personTimesFromEvents);
      expect(sum('personTimes') + outside).toBe(body.totals.personTimes);
      expect(items.filter((r) => r.covered).length).toBe(body.totals.townshipsCovered);

      const rows = TOWNSHIP_ROWS[period];
      expect(body).toEqual({
        ...header(w.countyA, period),
        // By county, then name: 八里镇, 城关镇, 新集镇.
        items: [row(w.a1, rows.a1), row(w.a2, rows.a2), row(w.a3, rows.a3)],
        personTimesFromEventsOutsideTownships: OUTSIDE_TOWNSHIPS[period],
        totals: { ...header(w.countyA, period), ...COUNTY_A[period] },
      });
    });

    it('trends: the months and quarters with activity (the 00:30 session of 1 April is in April)', async () => {
      const body = (await get('trends', w.adminA.auth, { year: YEAR }).expect(200)).body;
      const point = ([sessionsHeld, personTimesFromAttendance, personTimesFromEvents, personTimes]: number[]) => ({
        sessionsHeld,
        personTimesFromAttendance,
        personTimesFromEvents,
        personTimes,
      });
      const months = Array.from({ length: 12 }, (_, i) => {
        const [sessions, attendance, events] = TREND_MONTHS[i + 1] ?? [0, 0, 0];
        return { month: i + 1, ...point([sessions, attendance, events, attendance + events]) };
      });
      expect(body).toEqual({
        year: YEAR,
        orgUnit: unitOf(w.countyA),
        asOf: expect.stringMatching(/\+08:00$/),
        months,
        quarters: [
          { quarter: 1, ...point([4, 10, 70, 80]) }, // February and March
          { quarter: 2, ...point([4, 7, 30, 37]) }, // April and May
          { quarter: 3, ...point([0, 0, 0, 0]) },
          { quarter: 4, ...point([0, 0, 0, 0]) },
        ],
      });
      // The quarters agree with the summaries of those quarters.
      expect(body.quarters[0]).toMatchObject({
        sessionsHeld: COUNTY_A.q1.sessionsHeld,
        personTimes: COUNTY_A.q1.personTimes,
      });
      expect(body.quarters[1]).toMatchObject({
        sessionsHeld: COUNTY_A.q2.sessionsHeld,
        personTimes: COUNTY_A.q2.personTimes,
      });
    });
  });

  it("the city: both counties, county B's class and event included", async () => {
    const res = await get('summary', w.cityAdmin.auth, { year: YEAR }).expect(200);
    expect(res.body).toEqual({ ...header(w.city, 'year'), ...CITY_YEAR });
  });

  it.each(periods)('a township (新集镇) and its village (杨庄村), %s', async (period) => {
    const township = await get('summary', w.adminA.auth, { year: YEAR, ...PERIODS[period], orgUnitId: w.a3.id });
    expect(township.status).toBe(200);
    expect(township.body).toEqual({ ...header(w.a3, period), ...TOWNSHIP_A3[period] });
    const village = await get('summary', w.adminA.auth, { year: YEAR, ...PERIODS[period], orgUnitId: w.village.id });
    expect(village.status).toBe(200);
    expect(village.body).toEqual({ ...header(w.village, period), ...VILLAGE[period] });
  });

  it('a figure read right after a write includes it', async () => {
    // In 2023, so the year above stays as built: a class of county A with one session, two seats.
    const plan = await createPlan(t.ds, w.countyA, 2023);
    const c = await createClass(t.ds, plan, w.courseA, [w.trainerA.user.id], {
      quarter: 2,
      startDate: '2023-06-01',
      endDate: '2023-06-30',
      status: 'running',
    });
    const startsAt = localInstant('2023-06-01', '09:00');
    const held = await createSession(t.ds, c, w.trainerA.user.id, 0, {
      startsAt,
      endsAt: new Date(startsAt.getTime() + 3_600_000),
    });
    const keen = await seat(t.ds, c, w.people.a1Keen, w.a1);
    const half = await seat(t.ds, c, w.people.a1Half, w.a1);
    const read = async () => (await get('summary', w.adminA.auth, { year: 2023 }).expect(200)).body as Summary;
    const mark = (enrolmentId: string) =>
      t.http
        .put(`/api/sessions/${held.id}/attendance`)
        .set('Authorization', w.adminA.auth)
        .send({ records: [{ enrolmentId, status: 'present' }] })
        .expect(200);

    await mark(keen.id);
    expect(await read()).toMatchObject({ personTimesFromAttendance: 1, uniqueTrainees: 1, personTimes: 1 });

    await mark(half.id); // one more person-time
    expect(await read()).toMatchObject({ personTimesFromAttendance: 2, uniqueTrainees: 2, personTimes: 2 });

    await t.http
      .post('/api/events')
      .set('Authorization', w.adminA.auth)
      .send({ kind: 'screening', title: '露天电影', date: '2023-06-05', orgUnitId: w.a1.id, headCount: 45 })
      .expect(201);
    expect(await read()).toMatchObject({ personTimesFromEvents: 45, personTimes: 47 }); // 2 + 45
  });

  it('counts a trainee who came for two townships (one who moved) once in the county, once in each row', async () => {
    // In 2022, so the year above stays as built: two classes of county A, one session each; the
    // same person enrolled for 八里镇 in May and, having moved, for 城关镇 in June.
    const plan = await createPlan(t.ds, w.countyA, 2022);
    const moved = w.people.a1Keen;
    const classIn = async (quarter: number, date: string, township: OrgUnit) => {
      const c = await createClass(t.ds, plan, w.courseA, [w.trainerA.user.id], {
        quarter,
        startDate: date,
        endDate: date,
        status: 'completed',
      });
      const startsAt = localInstant(date, '09:00');
      const held = await createSession(t.ds, c, w.trainerA.user.id, 0, {
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3_600_000),
      });
      const seatOf = await seat(t.ds, c, moved, township, 'completed');
      await t.ds.getRepository(AttendanceRecord).insert({
        sessionId: held.id,
        enrolmentId: seatOf.id,
        status: 'present',
        source: 'trainer',
        recordedBy: w.trainerA.user.id,
      });
    };
    await classIn(2, '2022-05-10', w.a1);
    await classIn(2, '2022-06-14', w.a2);

    const summary = (await get('summary', w.adminA.auth, { year: 2022 }).expect(200)).body as Summary;
    expect(summary).toMatchObject({ personTimesFromAttendance: 2, uniqueTrainees: 1, classesHeld: 2 });
    const table = (await get('townships', w.adminA.auth, { year: 2022 }).expect(200)).body as {
      items: (Figures & { townshipId: string })[];
      totals: Summary;
    };
    const row = (u: OrgUnit) => table.items.find((r) => r.townshipId === u.id)!;
    expect(row(w.a1)).toMatchObject({ personTimesFromAttendance: 1, uniqueTrainees: 1 });
    expect(row(w.a2)).toMatchObject({ personTimesFromAttendance: 1, uniqueTrainees: 1 });
    expect(table.totals).toMatchObject({ personTimesFromAttendance: 2, uniqueTrainees: 1 });
  });

  it('counts a class that runs into January in its year’s rotation, and the events of a village under the county', async () => {
    // In 2021, so the year above stays as built. A Q4 class may end in the next quarter.
    const plan = await createPlan(t.ds, w.countyA, 2021);
    const c = await createClass(t.ds, plan, w.courseA, [w.trainerA.user.id], {
      quarter: 4,
      startDate: '2021-12-10',
      endDate: '2022-01-20',
      status: 'completed',
    });
    await seat(t.ds, c, w.people.a3Office, w.a3, 'completed');
    // A village hung straight under the county (the tree allows it): no township to count it in.
    const lone = await createUnit(t.ds, w.countyA, 'village', '县下村');
    await t.ds.getRepository(OutreachEvent).insert({
      kind: 'outreach',
      title: '文化下乡',
      date: '2021-06-01',
      orgUnitId: lone.id,
      headCount: 33,
      createdBy: w.adminA.user.id,
    });

    const year = (await get('summary', w.adminA.auth, { year: 2021 }).expect(200)).body as Summary;
    // Completed a class of 2021's plan: trained for 2021, though the class ended in 2022.
    expect(year).toMatchObject({ rotationTrained: 1, personTimesFromEvents: 33 });
    // By the end of Q4 2021 the class had not ended yet.
    const q4 = (await get('summary', w.adminA.auth, { year: 2021, quarter: 4 }).expect(200)).body as Summary;
    expect(q4).toMatchObject({ rotationTrained: 0 });
    const village = (await get('summary', w.adminA.auth, { year: 2021, orgUnitId: lone.id }).expect(200))
      .body as Summary;
    expect(village).toMatchObject({ personTimesFromEvents: 33, townshipsCovered: null, townshipsTotal: null });
    const table = (await get('townships', w.adminA.auth, { year: 2021 }).expect(200)).body as {
      personTimesFromEventsOutsideTownships: number;
    };
    expect(table.personTimesFromEventsOutsideTownships).toBe(33);
  });

  describe('access and validation', () => {
    const ROUTES = ['summary', 'townships', 'trends'];

    it('is for admins: a trainer and a trainee get 403', async () => {
      for (const auth of [w.trainerA.auth, w.trainee.auth]) {
        for (const path of ROUTES) {
          const res = await get(path, auth, { year: YEAR });
          expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
        }
      }
    });

    it("answers 404 for a unit outside the admin's part of the tree", async () => {
      const cases = [
        { auth: w.adminB.auth, unit: w.countyA }, // the neighbouring county
        { auth: w.adminA.auth, unit: w.countyB },
        { auth: w.adminA.auth, unit: w.city }, // above the admin
      ];
      for (const { auth, unit } of cases) {
        for (const path of ROUTES) {
          const res = await get(path, auth, { year: YEAR, orgUnitId: unit.id });
          expect({ path, unit: unit.name, status: res.status, code: res.body.code }).toEqual({
            path,
            unit: unit.name,
            status: 404,
            code: 'ORG_UNIT_NOT_FOUND',
          });
        }
      }
    });

    it('refuses a malformed year, quarter or unit with 400 VALIDATION_FAILED', async () => {
      const cases: [string, Record<string, unknown>][] = [
        ['summary', { quarter: 0 }],
        ['summary', { quarter: 5 }],
        ['summary', { year: 'abc' }],
        ['summary', { year: 1999 }],
        ['summary', { orgUnitId: 'not-a-uuid' }],
        ['townships', { quarter: 0 }],
        ['townships', { year: 'abc' }],
        ['townships', { orgUnitId: 'not-a-uuid' }],
        ['trends', { year: 'abc' }],
        ['trends', { orgUnitId: 'not-a-uuid' }],
      ];
      for (const [path, query] of cases) {
        const res = await get(path, w.adminA.auth, query);
        expect({ path, query, status: res.status, code: res.body.code }).toEqual({
          path,
          query,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
    });

    it("defaults to the current year in the centre's time zone and to the admin's own unit", async () => {
      const thisYear = currentYear(ZONE);
      const summary = (await get('summary', w.adminA.auth).expect(200)).body;
      expect(summary).toMatchObject({
        year: thisYear,
        quarter: null,
        from: `${thisYear}-01-01`,
        to: `${thisYear}-12-31`,
        orgUnit: unitOf(w.countyA),
      });
      const explicit = (await get('summary', w.adminA.auth, { year: thisYear, orgUnitId: w.countyA.id }).expect(200))
        .body;
      expect({ ...summary, asOf: null }).toEqual({ ...explicit, asOf: null });
      const table = (await get('townships', w.adminA.auth).expect(200)).body;
      expect(table).toMatchObject({ year: thisYear, orgUnit: unitOf(w.countyA) });
      const trends = (await get('trends', w.adminA.auth).expect(200)).body;
      expect(trends).toMatchObject({ year: thisYear, orgUnit: unitOf(w.countyA) });
    });
  });
});
