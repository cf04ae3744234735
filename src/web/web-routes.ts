import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { languageOf } from '../common/i18n/translator';
import { PageRenderer } from './page-renderer';
import { StaticAssets } from './static-assets';
import { prefersJson } from './web-page.filter';

/** Addresses of the API and its documents: an unknown one is answered in JSON, whatever the client accepts. */
const API_PATH = /^\/(api|docs|docs-json|health)(\/|\?|$)/;

/**
 * The pages' parts outside Nest's controllers, set up on Fastify at start-up:
 * - `GET /static/:name`, the stylesheets (StaticAssets), without guards or interceptors;
 * - the 404 page: a GET that no route takes is answered (by Nest, as every error) with the
 *   API's JSON 404; for a browser outside the API's paths that answer becomes a Chinese (or
 *   English) page instead, in an onSend hook, so routing itself is untouched.
 */
@Injectable()
export class WebRoutes implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly assets: StaticAssets,
    private readonly pages: PageRenderer,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    fastify.get<{ Params: { name: string } }>('/static/:name', (request, reply) => this.assets.serve(request, reply));
    fastify.addHook('onSend', (request, reply, payload, done) => {
      if (!this.isPageNotFound(request, reply)) return done(null, payload);
      done(null, this.notFoundPage(request, reply));
    });
  }

  private isPageNotFound(request: FastifyRequest, reply: FastifyReply): boolean {
    return (
      request.is404 &&
      reply.statusCode === 404 &&
      (request.method === 'GET' || request.method === 'HEAD') &&
      !API_PATH.test(request.url) &&
      !prefersJson(request.headers.accept)
    );
  }

  private notFoundPage(request: FastifyRequest, reply: FastifyReply): Buffer {
    const lang = languageOf(request.headers);
    const t = (key: string) => this.pages.t(lang, key);
    const view = { title: t('notFoundTitle'), heading: t('notFoundTitle'), lines: [t('notFoundText')] };
    void reply.removeHeader('content-length');
    return this.pages.prepare(request, reply, 'message', { lang, csrf: '' }, view, 404);
  }
}
