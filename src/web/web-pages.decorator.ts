import { applyDecorators, HttpCode, Post, UseFilters, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageRoutes } from '../common/auth/auth.decorators';
import { PageRolesGuard } from './page-roles';
import { WebPageFilter } from './web-page.filter';
import { WebSessionGuard } from './web-session.guard';

/**
 * A controller of pages: signed in by the session cookie (WebSessionGuard) instead of a bearer
 * token, errors answered as pages (WebPageFilter), left out of the API's OpenAPI document.
 * Its routes need a signed-in browser unless marked @Public(), and one of the roles of its @PageRoles.
 */
export const WebPages = (): ClassDecorator =>
  applyDecorators(
    PageRoutes(),
    UseGuards(WebSessionGuard, PageRolesGuard),
    UseFilters(WebPageFilter),
    ApiExcludeController(),
  );

/** A page route taking an HTML form (application/x-www-form-urlencoded), which must carry its `_csrf` token. */
export const FormPost = (path: string): MethodDecorator =>
  applyDecorators(Post(path), HttpCode(200), RouteConfig({ acceptsForm: true }));
