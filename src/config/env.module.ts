import { Global, Module } from '@nestjs/common';
import { Env, loadEnv } from './env';

/** Makes the validated environment injectable as `Env` everywhere. */
@Global()
@Module({ providers: [{ provide: Env, useFactory: loadEnv }], exports: [Env] })
export class EnvModule {}
