import { RequestMethod } from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { IS_PAGE, IS_PUBLIC } from '../../src/common/auth/auth.decorators';

export interface RouteInfo {
  method: string;
  path: string;
  isPublic: boolean;
  /** Honours Idempotency-Key (has the IdempotencyInterceptor). */
  idempotent: boolean;
  /** A server-rendered page (src/web/): signed in by the session cookie, not a bearer token; not in the OpenAPI document. */
  page: boolean;
  /** Takes multipart/form-data (@AcceptsUpload). */
  upload: boolean;
}

/**
 * Every controller route of the running app, read from Nest's own metadata. Call it
 * right after startTestApp: Nest's classes are loaded from that app's module registry.
 */
export function listRoutes(app: NestFastifyApplication): RouteInfo[] {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { MetadataScanner, Reflector } = require('@nestjs/core') as typeof import('@nestjs/core');
  const { ModulesContainer } =
    require('@nestjs/core/injector/modules-container') as typeof import('@nestjs/core/injector/modules-container');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const scanner = new MetadataScanner();
  const reflector = app.get(Reflector);
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const metatype = wrapper.metatype as (new () => object) | null;
      if (!metatype) continue;
      const prototype = metatype.prototype as Record<string, unknown>;
      const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as () => void;
        const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (sub === undefined || method === undefined) continue;
        const path = `/${[base, sub]
          .map((p) => p.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, metatype]) ?? false;
        const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as { name?: string }[];
        const idempotent = interceptors.some((i) => i.name === 'IdempotencyInterceptor');
        const page = reflector.getAllAndOverride<boolean>(IS_PAGE, [handler, metatype]) ?? false;
        const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as {
          acceptsUpload?: boolean;
        };
        const upload = config.acceptsUpload === true;
        routes.push({ method: RequestMethod[method], path, isPublic, idempotent, page, upload });
      }
    }
  }
  return routes;
}
