import { createSecretKey, type KeyObject } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { verify } from 'jsonwebtoken';
import type { AuthUser } from '../common/auth/auth-user';
import { IS_PAGE, IS_PUBLIC } from '../common/auth/auth.decorators';
import { Env, jwtSecret } from '../config/env';
import { AuthService, type JwtPayload } from './auth.service';

const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i;

/**
 * Global: every route needs a valid bearer token unless marked @Public(). The token is
 * checked here (HS256, expiry) and the caller loaded from PostgreSQL on every request
 * (`AuthService.resolveToken`), so deactivation, a role change or a new password end a
 * token at once. Done directly rather than through Passport's JWT strategy: that wrapper
 * was the largest cost of an authenticated read after the database (see bench/).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  /** A KeyObject, not a string: given a string, jsonwebtoken tries it as a public key first on every call. */
  private readonly key: KeyObject;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    env: Env,
  ) {
    this.key = createSecretKey(Buffer.from(jwtSecret(env)));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    // Pages check their cookie session in their own guard (src/web/web-session.guard.ts).
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PAGE, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedException();
    let payload: JwtPayload;
    try {
      payload = verify(token, this.key, { algorithms: ['HS256'] }) as JwtPayload;
    } catch {
      throw new UnauthorizedException();
    }
    const { tokenVersion: _v, ...caller } = await this.auth.resolveToken(payload);
    request.user = caller;
    return true;
  }
}
