import { randomUUID } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent';
import type { DataSource } from 'typeorm';
import { Certificate, type CertificateSnapshot } from '../../src/certificates/certificate.entity';
import { newVerificationCode } from '../../src/certificates/verification-code';
import type { OrgUnit } from '../../src/org-units/org-unit.entity';
import type { User } from '../../src/users/user.entity';
import { createClass, createCourse, createPlan } from './classes';
import { createOrgTree, createUser, signedIn } from './index';

/**
 * Certificates for the PDF routes, inserted straight into `certificates` (issuing has its own
 * tests): county A with a signed-in admin and trainer, a completed class of county A taught by
 * that trainer, and an admin of county B (outside A's scope).
 */
export async function certificateRowsWorld(http: TestAgent, ds: DataSource) {
  const tree = await createOrgTree(ds);
  const admin = await signedIn(http, ds, { role: 'admin', orgUnitId: tree.countyA.id });
  const otherAdmin = await signedIn(http, ds, { role: 'admin', orgUnitId: tree.countyB.id });
  const trainer = await signedIn(http, ds, { role: 'trainer', orgUnitId: tree.countyA.id });
  const course = await createCourse(ds, tree.countyA, { title: '计算机基础与智能手机应用' });
  const plan = await createPlan(ds, tree.countyA, 2026);
  const cls = await createClass(ds, plan, course, [trainer.user.id], {
    title: '2026年第二季度计算机基础培训班',
    status: 'completed',
    startDate: '2026-04-06',
    endDate: '2026-06-28',
  });
  return { tree, admin, otherAdmin, trainer, course, plan, cls };
}

export type CertificateRowsWorld = Awaited<ReturnType<typeof certificateRowsWorld>>;

let serial = 0;

/** A certificate of `world.cls` for a new trainee (of township A1 by default) named `name`. */
export async function insertCertificateRow(
  ds: DataSource,
  world: Pick<CertificateRowsWorld, 'tree' | 'admin' | 'cls' | 'course'>,
  fields: { name?: string; township?: OrgUnit; snapshot?: Partial<CertificateSnapshot>; revoked?: string } = {},
): Promise<{ certificate: Certificate; trainee: User }> {
  const name = fields.name ?? '欧阳晓明';
  const township = fields.township ?? world.tree.townshipA1;
  const trainee = await createUser(ds, { role: 'trainee', orgUnitId: township.id, displayName: name });
  const repo = ds.getRepository(Certificate);
  const certificate = await repo.save(
    repo.create({
      classId: world.cls.id,
      traineeId: trainee.id,
      centreId: world.tree.countyA.id,
      serial: `2026-Q2-${String(++serial).padStart(4, '0')}${randomUUID().slice(0, 2).toUpperCase()}`,
      code: newVerificationCode(),
      snapshot: {
        name,
        township: township.name,
        course: world.course.title,
        classTitle: world.cls.title,
        startDate: world.cls.startDate,
        endDate: world.cls.endDate,
        hours: 27,
        sessionsAttended: 11,
        sessionsHeld: 12,
        attendanceRate: 0.9167,
        score: 86,
        centre: world.tree.countyA.name,
        ...fields.snapshot,
      },
      issuedAt: new Date('2026-06-30T02:00:00Z'),
      issuedBy: world.admin.user.id,
      revokedAt: fields.revoked ? new Date('2026-07-02T02:00:00Z') : null,
      revokedBy: fields.revoked ? world.admin.user.id : null,
      revokeReason: fields.revoked ?? null,
    }),
  );
  return { certificate, trainee };
}
