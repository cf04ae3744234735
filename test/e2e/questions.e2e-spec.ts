import { createHash, randomUUID } from 'node:crypto';
import { Question } from '../../src/quizzes/question.entity';
import { createOrgTree, signedIn } from '../factories';
import { createClass, createCourse, createPlan } from '../factories/classes';
import { createQuiz } from '../factories/quizzes';
import { startTestApp, type TestApp } from '../support/test-app';
import { buildXlsx } from '../support/xlsx-fixtures';

/** A PNG's structure: signature, IHDR (1×1), IEND (what the server checks; no pixels needed). */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000000d49484452000000010000000108060000001f15c489', 'hex'),
  Buffer.from('0000000049454e44ae426082', 'hex'),
]);
/** A JPEG's frame: SOI, an APP0 marker, EOI. */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 1), Buffer.from([0xff, 0xd9])]);

const errorBody = (statusCode: number, code: string) => ({ statusCode, code, message: expect.any(String) });
const invalid = (field: string, reason: string) => ({ ...errorBody(400, 'QUESTION_INVALID'), field, reason });

describe('question bank (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /**
   * A course of county A with a class taught by `trainer`; an admin of county A, one of county B,
   * a trainer who does not teach the course, and a trainee.
   */
  async function world() {
    const tree = await createOrgTree(t.ds);
    const admin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyA.id });
    const otherAdmin = await signedIn(t.http, t.ds, { role: 'admin', orgUnitId: tree.countyB.id });
    const trainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const otherTrainer = await signedIn(t.http, t.ds, { role: 'trainer', orgUnitId: tree.countyA.id });
    const trainee = await signedIn(t.http, t.ds, { role: 'trainee', orgUnitId: tree.villageA1.id });
    const course = await createCourse(t.ds, tree.countyA);
    const plan = await createPlan(t.ds, tree.countyA, 2027);
    const cls = await createClass(t.ds, plan, course, [trainer.user.id]);
    return { tree, admin, otherAdmin, trainer, otherTrainer, trainee, course, cls };
  }

  const single = (courseId: string, over: Record<string, unknown> = {}) => ({
    courseId,
    category: '文字处理',
    type: 'single',
    prompt: '复制选中的文字，应按哪个快捷键？',
    points: 2,
    options: [{ text: 'Ctrl+C', correct: true }, { text: 'Ctrl+V' }, { text: 'Ctrl+X' }],
    feedback: 'Ctrl+C 复制',
    ...over,
  });

  function post(auth: string, body: unknown) {
    return t.http
      .post('/api/questions')
      .set('Authorization', auth)
      .send(body as object);
  }

  it('creates, reads and lists a question of each type, with its answer', async () => {
    const { admin, course } = await world();
    const bodies = [
      single(course.id),
      {
        courseId: course.id,
        category: '智能手机',
        type: 'multiple',
        prompt: '下列哪些是即时通讯软件？',
        points: 3,
        options: [
          { text: '微信', correct: true, fraction: 0.5 },
          { text: 'QQ', correct: true, fraction: 0.5 },
          { text: '计算器', fraction: -1 },
        ],
      },
      {
        courseId: course.id,
        category: '网络安全',
        type: 'truefalse',
        prompt: '陌生链接可以随意点击。',
        points: 1,
        correct: false,
      },
      {
        courseId: course.id,
        category: '文字处理',
        type: 'short',
        prompt: '扩展名？',
        points: 1,
        answers: [' docx ', '.docx'],
      },
      {
        courseId: course.id,
        category: '电子表格',
        type: 'numerical',
        prompt: '=ROUND(3.14159, 2)',
        points: 1.5,
        answer: '３，１４',
        tolerance: 0.01,
        toleranceType: 'relative',
      },
    ];
    const created = [];
    for (const body of bodies) created.push((await post(admin.auth, body).expect(201)).body);
    const [s, m, tf, sh, num] = created;

    expect(s).toEqual({
      id: expect.any(String),
      courseId: course.id,
      category: '文字处理',
      type: 'single',
      prompt: '复制选中的文字，应按哪个快捷键？',
      points: 2,
      feedback: 'Ctrl+C 复制',
      options: [
        { id: expect.any(String), text: 'Ctrl+C', correct: true, fraction: null },
        { id: expect.any(String), text: 'Ctrl+V', correct: false, fraction: null },
        { id: expect.any(String), text: 'Ctrl+X', correct: false, fraction: null },
      ],
      correct: null,
      answers: null,
      answer: null,
      tolerance: null,
      toleranceType: null,
      imageUrl: null,
      version: 1,
      createdAt: expect.stringMatching(/\+08:00$/),
      updatedAt: expect.any(String),
    });
    expect(m.options.map((o: { fraction: number }) => o.fraction)).toEqual([0.5, 0.5, -1]);
    expect(tf).toMatchObject({ type: 'truefalse', correct: false, options: null, answer: null });
    expect(sh).toMatchObject({ type: 'short', answers: ['docx', '.docx'] });
    expect(num).toMatchObject({
      type: 'numerical',
      answer: '3.14',
      tolerance: '0.01',
      toleranceType: 'relative',
      points: 1.5,
    });
    expect(await t.ds.getRepository(Question).findOneByOrFail({ id: tf.id })).toMatchObject({
      answer: 'false',
      options: null,
    });

    const got = await t.http.get(`/api/questions/${s.id}`).set('Authorization', admin.auth).expect(200);
    expect(got.body).toEqual(s);

    const all = await t.http.get(`/api/questions?courseId=${course.id}`).set('Authorization', admin.auth).expect(200);
    expect(all.body).toMatchObject({ total: 5, page: 1, pageSize: 20 });
    expect(all.body.items.map((q: { category: string }) => q.category)).toEqual(
      ['智能手机', '文字处理', '文字处理', '电子表格', '网络安全'].sort(),
    );

    const byCategory = await t.http
      .get(`/api/questions?courseId=${course.id}&category=${encodeURIComponent('文字处理')}&type=short`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect(byCategory.body.items.map((q: { id: string }) => q.id)).toEqual([sh.id]);
    const searched = await t.http
      .get(`/api/questions?q=${encodeURIComponent('ROUND(3')}`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect(searched.body.items.map((q: { id: string }) => q.id)).toEqual([num.id]);
    const literal = await t.http.get('/api/questions?q=%25').set('Authorization', admin.auth).expect(200);
    expect(literal.body.total).toBe(0);

    const categories = await t.http
      .get(`/api/questions/categories?courseId=${course.id}`)
      .set('Authorization', admin.auth)
      .expect(200);
    expect(categories.body).toEqual(
      [
        { category: '智能手机', count: 1 },
        { category: '文字处理', count: 2 },
        { category: '电子表格', count: 1 },
        { category: '网络安全', count: 1 },
      ].sort((a, b) => (a.category < b.category ? -1 : 1)),
    );
  });

  it('refuses questions that do not hold together, with a stable code, field and reason', async () => {
    const { admin, course } = await world();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ options: undefined }, 'options', 'required'],
      [{ options: [{ text: 'a', correct: true }] }, 'options', 'too_few_options'],
      [{ options: [{ text: 'a' }, { text: 'b' }] }, 'options', 'no_correct_option'],
      [
        {
          options: [
            { text: 'a', correct: true },
            { text: 'b', correct: true },
          ],
        },
        'options',
        'one_correct_option',
      ],
      [{ options: [{ text: 'a', correct: true }, { text: 'ａ' }] }, 'options', 'duplicate_options'],
      [{ options: [{ text: 'a', correct: true, fraction: 1 }, { text: 'b' }] }, 'options.fraction', 'not_allowed'],
      [
        {
          type: 'multiple',
          options: [
            { text: 'a', correct: true, fraction: 0.6 },
            { text: 'b', correct: true, fraction: 0.6 },
          ],
        },
        'options',
        'fractions',
      ],
      [{ answers: ['x'] }, 'answers', 'not_allowed'],
      [{ correct: true }, 'correct', 'not_allowed'],
      [{ type: 'truefalse', options: undefined }, 'correct', 'required'],
      [{ type: 'short', options: undefined }, 'answers', 'required'],
      [{ type: 'short', options: undefined, answers: ['a', ' '] }, 'answers.1', 'required'],
      [{ type: 'numerical', options: undefined }, 'answer', 'required'],
      [{ type: 'numerical', options: undefined, answer: '1e3' }, 'answer', 'number'],
      [{ type: 'numerical', options: undefined, answer: 'NaN' }, 'answer', 'number'],
      [{ type: 'numerical', options: undefined, answer: 1, tolerance: -1 }, 'tolerance', 'range'],
      [{ type: 'numerical', options: undefined, answer: 1, tolerance: 'abc' }, 'tolerance', 'number'],
      [{ type: 'numerical', answer: 1 }, 'options', 'not_allowed'],
      [{ courseId: randomUUID() }, 'courseId', 'course'],
    ];
    for (const [over, field, reason] of cases) {
      const res = await post(admin.auth, single(course.id, over));
      expect({ over, status: res.status, body: res.body }).toEqual({ over, status: 400, body: invalid(field, reason) });
    }
    // Shapes and limits the DTO checks: 400 VALIDATION_FAILED naming the field.
    const shapes: [Record<string, unknown>, string][] = [
      [{ points: 0 }, 'points'],
      [{ points: 1000.5 }, 'points'],
      [{ points: 1.234 }, 'points'],
      [{ prompt: 'x'.repeat(4001) }, 'prompt'],
      [{ feedback: 'x'.repeat(4001) }, 'feedback'],
      [{ category: 'x'.repeat(101) }, 'category'],
      [{ category: 'a\nb' }, 'category'],
      [{ type: 'essay' }, 'type'],
      [{ options: [{ text: 'x'.repeat(501), correct: true }, { text: 'b' }] }, 'options.0.text'],
      [{ options: Array.from({ length: 11 }, (_, i) => ({ text: `o${i}`, correct: i === 0 })) }, 'options'],
      [{ toleranceType: 'percent' }, 'toleranceType'],
      [{ answer: true }, 'answer'],
      [{ extra: 1 }, 'extra'],
    ];
    for (const [over, field] of shapes) {
      const res = await post(admin.auth, single(course.id, over));
      expect({ over, status: res.status, code: res.body.code }).toEqual({
        over,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const en = await post(admin.auth, single(course.id, { options: [{ text: 'a' }, { text: 'b' }] })).set(
      'Accept-Language',
      'en',
    );
    expect(en.body.message).toBe('Mark at least one option as correct.');
    expect(await t.ds.getRepository(Question).countBy({ courseId: course.id })).toBe(0);
  });

  it('lets admins who may edit the course and its trainers in; trainees 403, others 404', async () => {
    const { admin, otherAdmin, trainer, otherTrainer, trainee, course } = await world();
    const byTrainer = await post(trainer.auth, single(course.id)).expect(201);
    const id = byTrainer.body.id as string;
    await t.http.get(`/api/questions/${id}`).set('Authorization', admin.auth).expect(200);

    for (const who of [otherAdmin, otherTrainer]) {
      const res = await t.http.get(`/api/questions/${id}`).set('Authorization', who.auth).expect(404);
      expect(res.body).toEqual(errorBody(404, 'QUESTION_NOT_FOUND'));
      await t.http.patch(`/api/questions/${id}`).set('Authorization', who.auth).send({ points: 1 }).expect(404);
      await t.http.delete(`/api/questions/${id}`).set('Authorization', who.auth).expect(404);
      expect((await post(who.auth, single(course.id)).expect(400)).body).toEqual(invalid('courseId', 'course'));
      const list = await t.http.get(`/api/questions?courseId=${course.id}`).set('Authorization', who.auth).expect(200);
      expect(list.body.total).toBe(0);
      const cats = await t.http
        .get(`/api/questions/categories?courseId=${course.id}`)
        .set('Authorization', who.auth)
        .expect(200);
      expect(cats.body).toEqual([]);
    }
    for (const request of [
      t.http.get('/api/questions'),
      t.http.get(`/api/questions/${id}`),
      t.http.post('/api/questions').send(single(course.id)),
      t.http.patch(`/api/questions/${id}`).send({ points: 1 }),
      t.http.delete(`/api/questions/${id}`),
    ]) {
      const res = await request.set('Authorization', trainee.auth);
      expect(res.status).toBe(403);
    }
    const list = await t.http.get('/api/questions').set('Authorization', trainer.auth).expect(200);
    expect(list.body.items.map((q: { id: string }) => q.id)).toEqual([id]);
  });

  it('edits partially, re-checks the whole question, bumps the version and keeps unchanged option ids', async () => {
    const { admin, trainer, course } = await world();
    const q = (await post(admin.auth, single(course.id)).expect(201)).body;
    const [c, v] = q.options;

    const edited = await t.http
      .patch(`/api/questions/${q.id}`)
      .set('Authorization', trainer.auth)
      .send({
        points: 3.5,
        feedback: null,
        options: [{ text: 'Ctrl+V' }, { text: 'Ctrl+C', correct: true }, { text: 'Ctrl+Z' }],
      })
      .expect(200);
    expect(edited.body).toMatchObject({ version: 2, points: 3.5, feedback: null, prompt: q.prompt });
    expect(edited.body.options[0].id).toBe(v.id);
    expect(edited.body.options[1].id).toBe(c.id);
    expect([c.id, v.id, q.options[2].id]).not.toContain(edited.body.options[2].id);

    const bad = await t.http
      .patch(`/api/questions/${q.id}`)
      .set('Authorization', admin.auth)
      .send({ options: [{ text: 'only', correct: true }] })
      .expect(400);
    expect(bad.body).toEqual(invalid('options', 'too_few_options'));
    const wrongField = await t.http
      .patch(`/api/questions/${q.id}`)
      .set('Authorization', admin.auth)
      .send({ answers: ['x'] });
    expect(wrongField.body).toEqual(invalid('answers', 'not_allowed'));

    const retyped = await t.http
      .patch(`/api/questions/${q.id}`)
      .set('Authorization', admin.auth)
      .send({ type: 'numerical', answer: 42 })
      .expect(200);
    expect(retyped.body).toMatchObject({ version: 3, type: 'numerical', options: null, answer: '42', tolerance: '0' });
    const missing = await t.http
      .patch(`/api/questions/${q.id}`)
      .set('Authorization', admin.auth)
      .send({ type: 'short' });
    expect(missing.body).toEqual(invalid('answers', 'required'));
    expect((await t.http.get(`/api/questions/${q.id}`).set('Authorization', admin.auth)).body.version).toBe(3);
  });

  it('deletes softly, and refuses while a quiz that has not closed lists the question', async () => {
    const { admin, course, cls } = await world();
    const q = (await post(admin.auth, single(course.id)).expect(201)).body;
    const open = await createQuiz(t.ds, cls);
    const closed = await createQuiz(t.ds, cls, {
      opensAt: new Date(Date.now() - 7200_000),
      closesAt: new Date(Date.now() - 3600_000),
    });
    await t.ds.query(`INSERT INTO quiz_questions (quiz_id, question_id, position) VALUES ($1, $3, 1), ($2, $3, 1)`, [
      open.id,
      closed.id,
      q.id,
    ]);
    const inUse = await t.http.delete(`/api/questions/${q.id}`).set('Authorization', admin.auth).expect(409);
    expect(inUse.body).toEqual({ ...errorBody(409, 'QUESTION_IN_USE'), quizIds: [open.id] });

    await t.ds.query(`DELETE FROM quiz_questions WHERE quiz_id = $1`, [open.id]);
    await t.http.delete(`/api/questions/${q.id}`).set('Authorization', admin.auth).expect(204);
    expect(await t.ds.getRepository(Question).findOneByOrFail({ id: q.id })).toMatchObject({
      deletedAt: expect.any(Date),
      prompt: q.prompt,
    });
    await t.http.get(`/api/questions/${q.id}`).set('Authorization', admin.auth).expect(404);
    await t.http.patch(`/api/questions/${q.id}`).set('Authorization', admin.auth).send({ points: 1 }).expect(404);
    await t.http.delete(`/api/questions/${q.id}`).set('Authorization', admin.auth).expect(404);
    const list = await t.http.get(`/api/questions?courseId=${course.id}`).set('Authorization', admin.auth).expect(200);
    expect(list.body.total).toBe(0);
    const cats = await t.http.get(`/api/questions/categories?courseId=${course.id}`).set('Authorization', admin.auth);
    expect(cats.body).toEqual([]);
  });

  it('keeps a picture per question: uploads, serves with caching headers and 304, replaces, removes', async () => {
    const { admin, otherAdmin, trainer, trainee, course } = await world();
    const q = (await post(admin.auth, single(course.id)).expect(201)).body;
    const put = (file: Buffer, name = 'shot.png') =>
      t.http.put(`/api/questions/${q.id}/image`).set('Authorization', admin.auth).attach('file', file, name);

    const first = await put(PNG).expect(200);
    expect(first.body).toMatchObject({
      version: 2,
      imageUrl: expect.stringMatching(/^\/api\/question-images\/[0-9a-f-]{36}$/),
    });
    const served = await t.http.get(first.body.imageUrl).set('Authorization', trainer.auth).buffer(true).expect(200);
    // Outside the bank: another county's admin, and a trainee no attempt has shown it to.
    await t.http.get(first.body.imageUrl).set('Authorization', otherAdmin.auth).expect(404);
    await t.http.get(first.body.imageUrl).set('Authorization', trainee.auth).expect(404);
    const etag = `"${createHash('sha256').update(PNG).digest('hex')}"`;
    expect(served.headers).toMatchObject({
      'content-type': 'image/png',
      'cache-control': 'private, max-age=31536000, immutable',
      etag,
      'x-content-type-options': 'nosniff',
    });
    expect(Buffer.compare(served.body as Buffer, PNG)).toBe(0);
    const notModified = await t.http
      .get(first.body.imageUrl)
      .set('Authorization', trainer.auth)
      .set('If-None-Match', etag);
    expect(notModified.status).toBe(304);
    expect(notModified.text ?? '').toBe('');
    await t.http.get(first.body.imageUrl).expect(401);

    const second = await put(JPEG, 'photo.png').expect(200);
    expect(second.body.version).toBe(3);
    expect(second.body.imageUrl).not.toBe(first.body.imageUrl);
    const jpeg = await t.http.get(second.body.imageUrl).set('Authorization', admin.auth).expect(200);
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    // The old picture stays: attempts that showed it still can.
    await t.http.get(first.body.imageUrl).set('Authorization', admin.auth).expect(200);

    for (const fake of [
      Buffer.from('GIF89a not a png at all'),
      Buffer.concat([PNG.subarray(0, 8), Buffer.from('<script>alert(1)</script>'.repeat(3))]),
      Buffer.from([0xff, 0xd8, 0xff, 0x00]),
      PNG.subarray(0, PNG.length - 12),
    ]) {
      expect((await put(fake, 'fake.png').expect(400)).body).toEqual(errorBody(400, 'QUESTION_IMAGE_INVALID'));
    }
    const big = Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]);
    const tooLarge = await put(big).expect(413);
    expect(tooLarge.body).toEqual({ ...errorBody(413, 'QUESTION_IMAGE_TOO_LARGE'), maxBytes: 1048576 });
    const json = await t.http.put(`/api/questions/${q.id}/image`).set('Authorization', admin.auth).send({ file: 'x' });
    expect(json.status).toBe(415);

    const removed = await t.http.delete(`/api/questions/${q.id}/image`).set('Authorization', admin.auth).expect(200);
    expect(removed.body).toMatchObject({ imageUrl: null, version: 4 });
    await t.http.get(`/api/question-images/${randomUUID()}`).set('Authorization', admin.auth).expect(404);
    await t.http
      .put(`/api/questions/${q.id}/image`)
      .set('Authorization', trainee.auth)
      .attach('file', PNG, 'a.png')
      .expect(403);
  });

  describe('import', () => {
    const header = [
      '分类',
      '题型',
      '题干',
      '分值',
      '选项A',
      '选项B',
      '选项C',
      '选项D',
      '答案',
      '误差',
      '误差类型',
      '解析',
    ];
    const good: (string | number)[][] = [
      ['文字处理', '单选', '复制的快捷键是？', 2, 'Ctrl+C', 'Ctrl+V', '', '', 'A', '', '', 'Ctrl+C 复制'],
      ['智能手机', '多选题', '哪些是即时通讯软件？', '', '微信', '计算器', 'QQ', '', 'A、C', '', '', ''],
      ['网络安全', '判断', '陌生链接可以随意点击。', 1, '', '', '', '', '×', '', '', ''],
      ['文字处理', '填空', 'Word 文档的扩展名是？', 1, '', '', '', '', 'docx|.docx；DOCX', '', '', ''],
      ['电子表格', '数值', '=ROUND(3.14159,2)', 1.5, '', '', '', '', '3,14', 0.01, '相对', ''],
    ];
    const csv = (rows: (string | number)[][]) => Buffer.from(`\uFEFF${rows.map((r) => r.join(',')).join('\r\n')}\r\n`);

    function upload(auth: string, courseId: string, file: Buffer, name: string, dryRun = false) {
      return t.http
        .post(`/api/questions/import?courseId=${courseId}${dryRun ? '&dryRun=true' : ''}`)
        .set('Authorization', auth)
        .attach('file', file, name);
    }

    it('imports an xlsx with Chinese headers, every type, after a dry run that writes nothing', async () => {
      const { trainer, course } = await world();
      const file = buildXlsx([header, ...good]);
      const dry = await upload(trainer.auth, course.id, file, 'bank.xlsx', true).expect(200);
      expect(dry.body).toEqual({ dryRun: true, total: 5, created: 5, failed: 0, errors: [] });
      expect(await t.ds.getRepository(Question).countBy({ courseId: course.id })).toBe(0);

      const done = await upload(trainer.auth, course.id, file, 'bank.xlsx').expect(200);
      expect(done.body).toEqual({ dryRun: false, total: 5, created: 5, failed: 0, errors: [] });
      const stored = await t.ds
        .getRepository(Question)
        .find({ where: { courseId: course.id }, order: { prompt: 'ASC' } });
      const byType = Object.fromEntries(stored.map((q) => [q.type, q]));
      expect(byType.single).toMatchObject({ points: 2, feedback: 'Ctrl+C 复制', category: '文字处理' });
      expect(byType.single.options!.map((o) => [o.text, o.correct])).toEqual([
        ['Ctrl+C', true],
        ['Ctrl+V', false],
      ]);
      expect(byType.multiple.points).toBe(1);
      expect(byType.multiple.options!.map((o) => [o.text, o.correct])).toEqual([
        ['微信', true],
        ['计算器', false],
        ['QQ', true],
      ]);
      expect(byType.truefalse).toMatchObject({ answer: 'false', options: null });
      expect(byType.short.answers).toEqual(['docx', '.docx']);
      expect(byType.numerical).toMatchObject({
        answer: '3.14',
        tolerance: '0.01',
        toleranceType: 'relative',
        points: 1.5,
      });
    });

    it('imports a CSV with English headers', async () => {
      const { admin, course } = await world();
      const file = csv([
        ['category', 'type', 'prompt', 'points', 'optionA', 'optionB', 'answer'],
        ['Basics', 'single', 'Which key copies?', '1', 'Ctrl+C', 'Ctrl+V', 'a'],
        ['Basics', 'truefalse', 'The sky is blue.', '1', '', '', 'true'],
      ]);
      const res = await upload(admin.auth, course.id, file, 'bank.csv').expect(200);
      expect(res.body).toMatchObject({ created: 2, failed: 0 });
    });

    it('reports every bad row by row and column, and writes nothing at all', async () => {
      const { admin, course } = await world();
      const rows: (string | number)[][] = [
        good[0],
        ['文字处理', '问答', '题', 1, '', '', '', '', '', '', '', ''],
        ['文字处理', '单选', '题', 1, 'a', 'b', '', '', 'C', '', '', ''],
        ['', '判断', '', 0, '', '', '', '', '也许', '', '', ''],
        ['文字处理', '单选', '题', 1, 'a', 'a', '', '', 'A', '', '', ''],
        ['文字处理', '数值', '题', 1, '', '', '', '', '1e3', '', '', ''],
        ['文字处理', '判断', '题', 1, 'x', '', '', '', '对', '', '', ''],
      ];
      const res = await upload(admin.auth, course.id, buildXlsx([header, ...rows]), 'bank.xlsx')
        .set('Accept-Language', 'en')
        .expect(200);
      const rowError = (row: number, field: string, code: string) => ({
        row,
        field,
        code,
        message: expect.any(String),
      });
      expect(res.body).toEqual({
        dryRun: false,
        total: 7,
        created: 0,
        failed: 6,
        errors: [
          rowError(3, 'type', 'INVALID'),
          rowError(4, 'answer', 'INVALID'),
          rowError(5, 'answer', 'INVALID'),
          rowError(5, 'category', 'REQUIRED'),
          rowError(5, 'prompt', 'REQUIRED'),
          rowError(5, 'points', 'RANGE'),
          rowError(6, 'options', 'DUPLICATE_OPTIONS'),
          rowError(7, 'answer', 'NUMBER'),
          rowError(8, 'optionA', 'NOT_ALLOWED'),
        ],
      });
      expect(res.body.errors[0].message).toContain('问答');
      expect(res.body.errors[4].message).toContain('题干');
      expect(await t.ds.getRepository(Question).countBy({ courseId: course.id })).toBe(0);
    });

    it('refuses a file without the needed columns, too many rows, a course out of reach, and trainees', async () => {
      const { admin, otherAdmin, trainee, course } = await world();
      const noHeader = await upload(
        admin.auth,
        course.id,
        csv([
          ['名字', '电话'],
          ['a', 'b'],
        ]),
        'x.csv',
      ).expect(400);
      expect(noHeader.body).toEqual(errorBody(400, 'IMPORT_INVALID_FILE'));
      const many = csv([header.slice(0, 3), ...Array.from({ length: 2001 }, (_, i) => ['c', '判断', `题${i}`])]);
      const tooMany = await upload(admin.auth, course.id, many, 'many.csv').expect(400);
      expect(tooMany.body.code).toBe('IMPORT_INVALID_FILE');
      const outside = await upload(otherAdmin.auth, course.id, buildXlsx([header, good[0]]), 'a.xlsx').expect(400);
      expect(outside.body).toEqual(invalid('courseId', 'course'));
      await upload(trainee.auth, course.id, buildXlsx([header, good[0]]), 'a.xlsx').expect(403);
    });
  });
});
