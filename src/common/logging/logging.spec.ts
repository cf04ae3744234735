import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pino from 'pino';
import { validateEnv } from '../../config/env';
import { requestId } from '../http/http-setup';
import { maskDigits, NestPinoLogger, pinoOptions } from './logging';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('logging', () => {
  it('masks long digit runs but keeps short numbers', () => {
    expect(maskDigits('/api/users?q=13812345678&page=2')).toBe('/api/users?q=138******78&page=2');
  });

  it('writes request lines with the request id and without tokens, passwords or full phone numbers', async () => {
    const { lines, stream } = capture();
    const env = validateEnv({ LOG_LEVEL: 'info' });
    const app = Fastify({
      loggerInstance: pino(pinoOptions(env), stream),
      genReqId: requestId,
      requestIdHeader: false,
    });
    app.post('/api/auth/login', async (req) => {
      // Nothing of ours logs bodies; if something ever logs credentials, they are redacted.
      req.log.info({ body: { password: (req.body as { password: string }).password } }, 'handler');
      return { accessToken: 'eyJ.secret.token' };
    });
    await app.inject({
      method: 'POST',
      url: '/api/auth/login?phone=13912345678',
      headers: { authorization: 'Bearer eyJ.secret.token', 'x-request-id': 'req-42' },
      payload: { username: '13912345678', password: 'hunter2-password' },
    });
    await app.close();
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ reqId: 'req-42', service: 'lms' });
    expect(text).not.toContain('eyJ.secret.token');
    expect(text).not.toContain('hunter2-password');
    expect(text).toContain('139******78');
    expect(text).not.toContain('13912345678');
  });

  it('routes Nest logger calls to pino with their context', () => {
    const { lines, stream } = capture();
    const logger = new NestPinoLogger(pino({ ...pinoOptions(validateEnv({ LOG_LEVEL: 'info' })) }, stream));
    logger.log('ready', 'Main');
    logger.error({ msg: 'failed', password: 'p4ss' }, 'Worker');
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      expect(JSON.parse(lines[0])).toMatchObject({ msg: 'ready', context: 'Main', level: 30 });
      expect(JSON.parse(lines[1])).toMatchObject({
        msg: 'failed',
        context: 'Worker',
        level: 50,
        password: '[redacted]',
      });
    });
  });
});
