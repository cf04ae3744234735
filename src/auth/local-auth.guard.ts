import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainError } from '../common/errors/domain-error';
import { flattenValidationErrors } from '../common/validation/validation';
import { LoginDto } from './dto/login.dto';

/**
 * Runs passport-local, after checking the body like every other body (guards run
 * before pipes, and passport would answer a bare 401 for a missing field).
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const body: unknown = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    const dto = plainToInstance(LoginDto, body ?? {});
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (typeof body !== 'object' || body === null || errors.length > 0) {
      const fields = flattenValidationErrors(errors);
      throw new DomainError(
        'VALIDATION_FAILED',
        fields.flatMap((f) => f.messages).join('; ') || 'username and password are required',
        'invalid',
        { errors: fields },
      );
    }
    return (await super.canActivate(context)) as boolean;
  }
}
