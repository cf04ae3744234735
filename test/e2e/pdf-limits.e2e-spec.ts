import type { Env as EnvType } from '../../src/config/env';
import { certificateRowsWorld, insertCertificateRow } from '../factories/certificate-rows';
import { type TestApp, startTestApp } from '../support/test-app';

function binary(res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/**
 * A PDF job that runs past PDF_JOB_TIMEOUT_SECONDS has its thread stopped and answers 503, so a
 * design, a picture or a batch that would hold a thread forever cannot stop every other printout;
 * the pool goes on drawing on a new thread.
 */
describe('PDF job limits (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ PDF_JOB_TIMEOUT_SECONDS: '1', PDF_THREADS: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 503 PDF_RENDER_LIMIT for a job past its time, and draws the next one', async () => {
    const world = await certificateRowsWorld(t.http, t.ds);
    const rows = [];
    for (let i = 0; i < 400; i++) rows.push(await insertCertificateRow(t.ds, world, { name: `学员${i}` }));
    // 400 pages take a PDF thread several seconds: past a 1-second limit.
    const stopped = await t.http
      .get(`/api/classes/${world.cls.id}/certificates.pdf`)
      .set('Authorization', world.admin.auth);
    expect(stopped.status).toBe(503);
    expect(stopped.body.code).toBe('PDF_RENDER_LIMIT');
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { Env } = require('../../src/config/env') as typeof import('../../src/config/env');
    /* eslint-enable @typescript-eslint/no-require-imports */
    t.app.get<EnvType>(Env).PDF_JOB_TIMEOUT_SECONDS = 120;
    const next = await t.http
      .get(`/api/certificates/${rows[0].certificate.id}/pdf`)
      .set('Authorization', world.admin.auth)
      .buffer(true)
      .parse((res, done) => binary(res as unknown as NodeJS.ReadableStream, done));
    expect(next.status).toBe(200);
    expect((next.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 120_000);
});
