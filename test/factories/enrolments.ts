import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { Plan } from '../../src/plans/plan.entity';
import { createUser, login } from './index';

/**
 * Class dates that start three days from now and run to the end of that quarter: the
 * enrolment window can include now, and the class has not started (trainees may withdraw).
 */
export function currentQuarter(now = new Date()): {
  year: number;
  quarter: number;
  startDate: string;
  endDate: string;
} {
  const start = new Date(now.getTime() + 3 * 86_400_000);
  const year = start.getUTCFullYear();
  const quarter = Math.floor(start.getUTCMonth() / 3) + 1;
  const lastMonth = quarter * 3;
  const lastDay = new Date(Date.UTC(year, lastMonth, 0)).getUTCDate();
  const mm = (m: number) => String(m).padStart(2, '0');
  return { year, quarter, startDate: start.toISOString().slice(0, 10), endDate: `${year}-${mm(lastMonth)}-${lastDay}` };
}

/** Fields for createClass: open, with enrolment running now. */
export function openClassFields(plan: Plan, over: Record<string, unknown> = {}) {
  const q = currentQuarter();
  if (plan.year !== q.year) throw new Error('the plan must be for the current year');
  return {
    quarter: q.quarter,
    startDate: q.startDate,
    endDate: q.endDate,
    status: 'open' as const,
    enrolmentOpensAt: new Date(Date.now() - 86_400_000),
    enrolmentClosesAt: new Date(Date.now() + 86_400_000),
    ...over,
  };
}

/** `count` trainees in `unit`, each signed in: their Authorization header values. */
export async function signedInTrainees(
  http: TestAgent,
  ds: DataSource,
  unit: OrgUnit,
  count: number,
): Promise<{ id: string; auth: string }[]> {
  const users = await Promise.all(
    Array.from({ length: count }, () => createUser(ds, { role: 'trainee', orgUnitId: unit.id })),
  );
  return Promise.all(users.map(async (u) => ({ id: u.id, auth: `Bearer ${await login(http, u.username)}` })));
}
