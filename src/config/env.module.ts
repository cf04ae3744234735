import { type DynamicModule, Module } from '@nestjs/common';
import { Env } from './env';

/** Makes the validated environment injectable as `Env` everywhere. */
@Module({})
export class EnvModule {
  static forRoot(env: Env): DynamicModule {
    return { module: EnvModule, global: true, providers: [{ provide: Env, useValue: env }], exports: [Env] };
  }
}
