import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import { AttendanceRecord } from '../../src/attendance/attendance-record.entity';
import type { AttendanceStatus } from '../../src/attendance/attendance.types';
import type { ClassSession } from '../../src/classes/class-session.entity';
import { TrainingClass } from '../../src/classes/training-class.entity';
import type { Enrolment } from '../../src/enrolments/enrolment.entity';
import { attendanceWorld, createSession, seatedTrainees } from './attendance';
import { createQuiz } from './quizzes';

/**
 * A class of county A with five held sessions (default points: 10 possible, so 0.8 needs 8)
 * and a required quiz, and trainees of township A1 whose attendance and quiz the test sets
 * with `attend` and the quiz factories. Complete it with `complete()` once the data is in.
 */
export async function certificateWorld(http: TestAgent, ds: DataSource, trainees = 3) {
  const w = await attendanceWorld(http, ds);
  const sessions: ClassSession[] = [];
  for (let i = 0; i < 5; i++) sessions.push(await createSession(ds, w.cls, w.trainer.user.id, -60 * 24 * (i + 1)));
  const quiz = await createQuiz(ds, w.cls, { passPercent: 60 });
  await ds.getRepository(TrainingClass).update(w.cls.id, { requiredQuizId: quiz.id });
  const people = await seatedTrainees(http, ds, w.cls, w.tree.townshipA1, trainees, '证');
  /** Records one status per held session for the enrolment (in session order). */
  const attend = async (enrolment: Enrolment, statuses: AttendanceStatus[]) => {
    await ds.getRepository(AttendanceRecord).insert(
      statuses.map((status, i) => ({
        sessionId: sessions[i].id,
        enrolmentId: enrolment.id,
        status,
        source: 'trainer' as const,
        recordedBy: w.trainer.user.id,
      })),
    );
  };
  /** Through the route, as an admin would: enrolments become completed with it. */
  const complete = async () => {
    const res = await http.post(`/api/classes/${w.cls.id}/complete`).set('Authorization', w.admin.auth);
    if (res.status !== 200) throw new Error(`complete: ${res.status} ${JSON.stringify(res.body)}`);
  };
  return { ...w, sessions, quiz, people, attend, complete };
}
