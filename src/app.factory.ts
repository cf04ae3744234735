import multipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { configureHttp, requestId } from './common/http/http-setup';
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
  const origins = env.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  app.enableCors({ origin: origins.length > 0 ? origins : false, exposedHeaders: ['x-request-id', 'retry-after'] });

  const config = new DocumentBuilder()
    .setTitle('Training-course LMS')
    .setDescription(
      'County-library training: org tree, users, classes, attendance, quizzes, certificates. ' +
        'Errors are {statusCode, code, message}; lists are {items, total, page, pageSize}; ' +
        'creating POSTs honour an Idempotency-Key header.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  app.enableShutdownHooks();
  await app.init();
  await fastify.ready();
  return app;
}
