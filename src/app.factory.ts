import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { configureHttp, requestId } from './common/http/http-setup';
import { TRANSLATIONS } from './common/i18n/i18n.loader';
import { languageOf } from './common/i18n/translator';
import { createPinoLogger, NestPinoLogger } from './common/logging/logging';
import { type Env, jwtSecret, loadApiEnv, trustProxy } from './config/env';

export interface CreateAppOptions {
  /** Where logs go (stdout by default); tests read what the app logs from a stream. */
  logDestination?: DestinationStream;
}

/** Builds the API application (used by main.ts, tests and benchmarks), initialised and ready. */
export async function createApp(
  env: Env = loadApiEnv(),
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  jwtSecret(env); // fails fast, with the variable named, before anything starts
  const logger = createPinoLogger(env, options.logDestination);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: trustProxy(env),
    requestIdHeader: false,
    genReqId: requestId,
    // Addresses Fastify refuses before any route (a bad % escape, an over-long id) answer like every error.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode === 414 ? 414 : 400;
      const code = status === 414 ? 'URI_TOO_LONG' : 'BAD_REQUEST';
      const message = String(TRANSLATIONS[languageOf(request.headers)].errors[code]);
      void reply.status(status).send({ statusCode: status, code, message });
    },
  });
  // bodyParser: false keeps Nest from adding a form-urlencoded parser: bodies are JSON (or multipart uploads).
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env), adapter, {
    logger: new NestPinoLogger(logger),
    bodyParser: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  configureHttp(fastify, env.TZ_DEFAULT);
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: env.UPLOAD_LIMIT_BYTES, files: 1, fields: 10, parts: 11 },
  });
  // The pages' session and form cookies (src/web/); the API reads none.
  await app.register(cookie);
  const origins = env.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  app.enableCors({ origin: origins.length > 0 ? origins : false, exposedHeaders: ['x-request-id', 'retry-after'] });

  const config = new DocumentBuilder()
    .setTitle('Training-course LMS')
    .setDescription(
      [
        'County-library training: the org tree, accounts, needs surveys, courses, venues, plans, classes and ' +
          'their sessions, enrolment, attendance and check-in, reports.',
        '',
        '- **Sign in** with `POST /api/auth/login`, then send `Authorization: Bearer <accessToken>`.',
        '- **Roles and scope**: `admin` manages its own org unit and everything under it; `trainer` works on the ' +
          'classes it teaches; `trainee` acts for itself. A wrong role is `403 FORBIDDEN`; anything outside your ' +
          'part of the tree is `404`, as if it did not exist.',
        '- **Errors** are `{statusCode, code, message}` (see ErrorResponseDto): switch on `code`, which is stable. ' +
          '`message` is Chinese by default and English with `Accept-Language: en`. Validation errors are ' +
          '`400 VALIDATION_FAILED` with `errors: [{field, messages}]`; unknown fields are refused; a malformed id ' +
          'in the path is `400 INVALID_ID`; malformed JSON `400 INVALID_JSON`; a body that is not JSON `415`; a ' +
          'body over the size limit `413`. Server faults are a plain `500 INTERNAL_ERROR`.',
        "- **Time**: instants are ISO 8601 with an offset, and answers write them in the centre's offset " +
          '(e.g. `2027-01-05T09:00:00+08:00`); an instant sent without an offset is refused. Dates such as a ' +
          "class's `startDate` are local `YYYY-MM-DD` in the centre's time zone.",
        '- **Lists** take `page` (from 1) and `pageSize` (at most 100 unless the operation says otherwise) and ' +
          'answer `{items, total, page, pageSize}`.',
        '- **Retries**: creating `POST`s take an `Idempotency-Key` header (1–200 visible ASCII characters, per ' +
          'user, kept 24 hours). The same key and body replay the first answer with `Idempotent-Replayed: true` ' +
          'and change nothing; the same key with another body is `422 IDEMPOTENCY_KEY_REUSED`; a malformed key ' +
          '`400 INVALID_IDEMPOTENCY_KEY`. Failed requests are not remembered.',
        '- **Request ids**: every answer carries `X-Request-Id` (yours, if you sent a sane one).',
      ].join('\n'),
    )
    .setVersion('1')
    .addBearerAuth()
    .addTag('auth', 'Signing in and who you are')
    .addTag('org-units', 'The organisation tree: province > city > county > township > village')
    .addTag('users', 'Accounts (admins, trainers, trainees) and the trainee import')
    .addTag('surveys', "Townships' yearly needs surveys")
    .addTag('courses', 'The course catalogue')
    .addTag('venues', 'Training rooms')
    .addTag('plans', "A county's yearly training plan and its progress")
    .addTag('classes', 'Classes (one period of a course) and their states')
    .addTag('sessions', 'The sessions of classes: scheduling without double booking')
    .addTag('calendar', 'Timetables as iCalendar')
    .addTag('enrolments', 'Enrolment under township quotas, waitlists and rosters')
    .addTag('attendance', 'Attendance marking, self check-in, sign-in sheets and summaries')
    .addTag('questions', "A course's question bank: questions, pictures and the import")
    .addTag('quizzes', 'Quizzes and contests: attempts with server-owned deadlines, overrides, grades, leaderboards')
    .addTag('certificates', 'Certificates: eligibility, issuing, designs, PDFs, revocation and public verification')
    .addTag('reports', 'Reports across townships')
    .addTag('health', 'Liveness of the API and what it depends on')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  app.enableShutdownHooks();
  await app.init();
  await fastify.ready();
  return app;
}
