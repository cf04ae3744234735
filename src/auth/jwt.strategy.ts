import { createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from '../common/auth/auth-user';
import { Env, jwtSecret } from '../config/env';
import { AuthService, type JwtPayload } from './auth.service';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    private readonly auth: AuthService,
    env: Env,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not a string: given a string, jsonwebtoken first tries (and fails) to
      // read it as a public key on every request, a quarter of the CPU of an authenticated call.
      secretOrKey: createSecretKey(Buffer.from(jwtSecret(env))) as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: JwtPayload): Promise<AuthUser> {
    const { tokenVersion: _v, ...caller } = await this.auth.resolveToken(payload);
    return caller;
  }
}
