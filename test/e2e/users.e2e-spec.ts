import { User } from '../../src/users/user.entity';
import { createOrgTree, createUser, login, PASSWORD, signedIn } from '../factories';
import { startTestApp, type TestApp } from '../support/test-app';

describe('users (e2e)', () => {
  let t: TestApp;
  let tree: Awaited<ReturnType<typeof createOrgTree>>;
  let admin: { user: User; auth: string };

  beforeAll(async () => {
    t = await startTestApp();
    tree = await createOrgTree(t.ds);
    admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
  });
  afterAll(() => t.close());

  const newUser = (over: Record<string, unknown> = {}) => ({
    username: `1380000${Math.floor(Math.random() * 1e4)
      .toString()
      .padStart(4, '0')}`,
    password: 'a-long-password',
    displayName: '赵六',
    role: 'trainee',
    orgUnitId: tree.villageA1.id,
    phone: '13800001111',
    education: 'secondary',
    proficiency: 'basic',
    ...over,
  });

  it('creates a user in scope, hashes the password with argon2id and never answers it', async () => {
    const body = newUser({ username: 'Li.Ming' });
    const res = await t.http.post('/api/users').set('Authorization', admin.auth).send(body).expect(201);
    expect(res.body).toMatchObject({ username: 'li.ming', displayName: '赵六', role: 'trainee', active: true });
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon/i);
    const [{ password_hash }] = await t.ds.query<{ password_hash: string }[]>(
      'SELECT password_hash FROM users WHERE id = $1',
      [res.body.id],
    );
    expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    await login(t.http, 'li.ming', 'a-long-password');
  });

  it('refuses a taken username with 409 USERNAME_TAKEN', async () => {
    const body = newUser({ username: 'dup-user' });
    await t.http.post('/api/users').set('Authorization', admin.auth).send(body).expect(201);
    const res = await t.http.post('/api/users').set('Authorization', admin.auth).send(body).expect(409);
    expect(res.body.code).toBe('USERNAME_TAKEN');
  });

  it('validates the body field by field', async () => {
    const res = await t.http
      .post('/api/users')
      .set('Authorization', admin.auth)
      .send(
        newUser({ username: 'has space', password: 'short', role: 'root', email: 'not-mail', proficiency: 'expert' }),
      )
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['email', 'password', 'proficiency', 'role', 'username']);
  });

  it('answers 404 when creating in, reading or editing a unit outside the admin subtree', async () => {
    await t.http
      .post('/api/users')
      .set('Authorization', admin.auth)
      .send(newUser({ orgUnitId: tree.townshipB1.id }))
      .expect(404);
    const outsider = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipB1.id });
    const read = await t.http.get(`/api/users/${outsider.id}`).set('Authorization', admin.auth).expect(404);
    expect(read.body).toEqual({ statusCode: 404, code: 'USER_NOT_FOUND', message: expect.any(String) });
    await t.http
      .patch(`/api/users/${outsider.id}`)
      .set('Authorization', admin.auth)
      .send({ displayName: 'x' })
      .expect(404);
    const mine = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    // moving a user out of the admin's subtree is refused the same way
    await t.http
      .patch(`/api/users/${mine.id}`)
      .set('Authorization', admin.auth)
      .send({ orgUnitId: tree.townshipB1.id })
      .expect(404);
  });

  it('lists users in scope with role, unit (with descendants), text filters and pagination', async () => {
    const unit = tree.townshipA2;
    const a = await createUser(t.ds, {
      role: 'trainee',
      orgUnitId: tree.villageA2.id,
      displayName: '钱小二',
      phone: '13912345678',
    });
    const b = await createUser(t.ds, { role: 'trainer', orgUnitId: unit.id, displayName: '孙老师' });
    const outsider = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.townshipB1.id });

    const inUnit = await t.http
      .get(`/api/users?orgUnitId=${unit.id}&pageSize=100`)
      .set('Authorization', admin.auth)
      .expect(200);
    const ids = (inUnit.body.items as { id: string }[]).map((u) => u.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(ids).not.toContain(outsider.id);

    const trainers = await t.http
      .get(`/api/users?orgUnitId=${unit.id}&role=trainer`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect((trainers.body.items as { id: string }[]).map((u) => u.id)).toEqual([b.id]);

    const byPhone = await t.http.get('/api/users?q=1234567').set('Authorization', admin.auth).expect(200);
    expect((byPhone.body.items as { id: string }[]).map((u) => u.id)).toEqual([a.id]);
    const byName = await t.http
      .get(`/api/users?q=${encodeURIComponent('钱小')}`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect((byName.body.items as { id: string }[]).map((u) => u.id)).toEqual([a.id]);

    const all = await t.http.get('/api/users?pageSize=100').set('Authorization', admin.auth).expect(200);
    expect((all.body.items as { id: string }[]).map((u) => u.id)).not.toContain(outsider.id);
    const page2 = await t.http.get('/api/users?pageSize=1&page=2').set('Authorization', admin.auth).expect(200);
    expect(page2.body).toMatchObject({ page: 2, pageSize: 1, total: all.body.total });
    expect(page2.body.items).toHaveLength(1);

    await t.http.get(`/api/users?orgUnitId=${tree.townshipB1.id}`).set('Authorization', admin.auth).expect(404);
    await t.http.get('/api/users?pageSize=1000').set('Authorization', admin.auth).expect(400);
    await t.http.get('/api/users?role=root').set('Authorization', admin.auth).expect(400);
  });

  it('lets a user edit its own display name, phone and e-mail, and nothing else', async () => {
    const me = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    const ok = await t.http
      .patch(`/api/users/${me.user.id}`)
      .set('Authorization', me.auth)
      .send({ displayName: '新名字', phone: '13900000000', email: 'me@example.org' })
      .expect(200);
    expect(ok.body).toMatchObject({ displayName: '新名字', phone: '13900000000', email: 'me@example.org' });
    for (const change of [
      { role: 'admin' },
      { orgUnitId: tree.countyA.id },
      { active: false },
      { proficiency: 'advanced' },
    ]) {
      const res = await t.http.patch(`/api/users/${me.user.id}`).set('Authorization', me.auth).send(change).expect(403);
      expect(res.body.code).toBe('SELF_CHANGE_FORBIDDEN');
    }
    const stored = await t.ds.getRepository(User).findOneByOrFail({ id: me.user.id });
    expect(stored).toMatchObject({ role: 'trainee', orgUnitId: tree.villageA1.id, active: true });
  });

  it('never lets an admin raise its own role, move itself up the tree or deactivate itself', async () => {
    for (const change of [{ orgUnitId: tree.province.id }, { role: 'trainer' }, { active: false }]) {
      await t.http.patch(`/api/users/${admin.user.id}`).set('Authorization', admin.auth).send(change).expect(403);
    }
  });

  it('lets trainees and trainers read only themselves', async () => {
    const trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    const neighbour = await createUser(t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    await t.http.get(`/api/users/${trainee.user.id}`).set('Authorization', trainee.auth).expect(200);
    await t.http.get(`/api/users/${neighbour.id}`).set('Authorization', trainee.auth).expect(404);
    await t.http
      .patch(`/api/users/${neighbour.id}`)
      .set('Authorization', trainee.auth)
      .send({ displayName: 'x' })
      .expect(404);
    await t.http.get('/api/users').set('Authorization', trainee.auth).expect(403);
    await t.http.post('/api/users').set('Authorization', trainee.auth).send(newUser()).expect(403);
    const trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    await t.http.get('/api/users').set('Authorization', trainer.auth).expect(403);
    await t.http.get(`/api/users/${neighbour.id}`).set('Authorization', trainer.auth).expect(404);
  });

  it('lets an admin reset a password, which revokes old tokens', async () => {
    const user = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    await t.http
      .patch(`/api/users/${user.user.id}`)
      .set('Authorization', admin.auth)
      .send({ password: 'brand-new-pass' })
      .expect(200);
    await t.http.get('/api/auth/me').set('Authorization', user.auth).expect(401);
    await t.http.post('/api/auth/login').send({ username: user.user.username, password: PASSWORD }).expect(401);
    await login(t.http, user.user.username, 'brand-new-pass');
  });

  it('holds the unique username under concurrent creation: one wins, the rest get 409', async () => {
    const body = newUser({ username: 'race-user' });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.http.post('/api/users').set('Authorization', admin.auth).send(body)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(await t.ds.getRepository(User).countBy({ username: 'race-user' })).toBe(1);
  });
});
