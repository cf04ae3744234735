import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Certificate, type CertificateSnapshot } from '../../src/certificates/certificate.entity';
import { newVerificationCode } from '../../src/certificates/verification-code';
import type { User } from '../../src/users/user.entity';
import { createOrgTree, createUser } from './index';
import { createClass, createCourse, createPlan } from './classes';

/**
 * What verification reads, without the issuing machinery: a county (the centre), an admin
 * (the issuer), a completed class and certificates inserted straight into `certificates`.
 */
export async function certificateVerifyWorld(ds: DataSource) {
  const tree = await createOrgTree(ds);
  const admin = await createUser(ds, { role: 'admin', orgUnitId: tree.countyA.id });
  const course = await createCourse(ds, tree.countyA, { title: '基层图书馆服务实务' });
  const plan = await createPlan(ds, tree.countyA, 2026);
  const cls = await createClass(ds, plan, course, [], { title: '2026年第二期', status: 'completed' });
  return { tree, admin, course, plan, cls };
}

export type CertificateVerifyWorld = Awaited<ReturnType<typeof certificateVerifyWorld>>;

let serials = 0;

/** Inserts a certificate for `trainee` (a new trainee with a phone number by default). */
export async function insertCertificate(
  ds: DataSource,
  world: CertificateVerifyWorld,
  fields: {
    trainee?: User;
    name?: string;
    code?: string;
    issuedAt?: Date;
    snapshot?: Partial<CertificateSnapshot>;
  } = {},
): Promise<{ certificate: Certificate; trainee: User }> {
  const trainee =
    fields.trainee ??
    (await createUser(ds, {
      role: 'trainee',
      orgUnitId: world.tree.villageA1.id,
      displayName: fields.name ?? '欧阳晓明',
      phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
    }));
  const repo = ds.getRepository(Certificate);
  const certificate = await repo.save(
    repo.create({
      classId: world.cls.id,
      traineeId: trainee.id,
      centreId: world.tree.countyA.id,
      serial: `2026-Q2-${String(++serials).padStart(4, '0')}-${randomUUID().slice(0, 4)}`,
      code: fields.code ?? newVerificationCode(),
      snapshot: {
        name: fields.name ?? trainee.displayName,
        township: world.tree.townshipA1.name,
        course: world.course.title,
        classTitle: world.cls.title,
        startDate: world.cls.startDate,
        endDate: world.cls.endDate,
        hours: 12,
        sessionsAttended: 5,
        sessionsHeld: 6,
        attendanceRate: 0.8333,
        score: 86,
        centre: world.tree.countyA.name,
        ...fields.snapshot,
      },
      // 23:30 UTC on 29 June is 30 June in the centre's zone (Asia/Shanghai).
      issuedAt: fields.issuedAt ?? new Date('2026-06-29T23:30:00Z'),
      issuedBy: world.admin.id,
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
    }),
  );
  return { certificate, trainee };
}

/** Revokes a certificate in place, as an admin would (the revoke route's own tests cover the route). */
export async function revokeDirectly(
  ds: DataSource,
  world: CertificateVerifyWorld,
  certificate: Certificate,
  reason: string,
  at: Date,
): Promise<void> {
  await ds
    .getRepository(Certificate)
    .update(certificate.id, { revokedAt: at, revokedBy: world.admin.id, revokeReason: reason });
}
