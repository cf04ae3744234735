import { type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { problemsOf, ValidationFailed } from '../common/validation/validation';
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
    const errors = await validate(dto, {
      whitelist: true,
      forbidNonWhitelisted: true,
      validationError: { target: true, value: false },
    });
    if (typeof body !== 'object' || body === null) {
      throw new ValidationFailed([{ field: 'body', problems: [{ key: 'validation.unknownValue', args: {} }] }]);
    }
    if (errors.length > 0) throw new ValidationFailed(problemsOf(errors));
    return (await super.canActivate(context)) as boolean;
  }
}
