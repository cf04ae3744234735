import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { Plan } from '../../src/plans/plan.entity';
import { createUser, login } from './index';

/** A plan for the current year and the class dates of the current quarter, so an open window can include now. */
export function currentQuarter(now = new Date()): {
  year: number;
  quarter: number;
  startDate: string;
  endDate: string;
} {
  const year = now.getUTCFullYear();
  const quarter = Math.floor(now.getUTCMonth() / 3) + 1;
  const firstMonth = (quarter - 1) * 3 + 1;
  const lastDay = new Date(Date.UTC(year, firstMonth + 2, 0)).getUTCDate();
  const mm = (m: number) => String(m).padStart(2, '0');
  return {
    year,
    quarter,
    startDate: `${year}-${mm(firstMonth)}-01`,
    endDate: `${year}-${mm(firstMonth + 2)}-${lastDay}`,
  };
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
