import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../users/user.types';
import type { AuthUser } from './auth-user';

export const IS_PUBLIC = 'auth:isPublic';
export const ROLES = 'auth:roles';
export const IS_PAGE = 'auth:isPage';

/** Marks a route as reachable without a token. Everything else needs one (global guard). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Marks a controller of server-rendered pages (src/web/): its callers sign in with the web
 * session cookie, which the pages' own guard checks, so the bearer-token guard stands aside.
 * Never used alone: `WebPages()` (src/web/web-pages.decorator.ts) applies it with that guard.
 */
export const PageRoutes = (): ClassDecorator => SetMetadata(IS_PAGE, true);

/** Limits a route to these roles (403 for others). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES, roles);

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
  if (!request.user) throw new Error('CurrentUser used on a public route');
  return request.user;
});
