import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module';
import { JwtAuthGuard } from './common/auth/jwt-auth.guard';
import { RolesGuard } from './common/auth/roles.guard';
import { DatabaseModule } from './common/database/database.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { RedisModule } from './common/redis/redis.module';
import { createValidationPipe } from './common/validation/validation';
import { Env } from './config/env';
import { EnvModule } from './config/env.module';
import { dataSourceOptions } from './database/data-source';
import { HealthModule } from './health/health.module';
import { OrgUnitsModule } from './org-units/org-units.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({ inject: [Env], useFactory: (env: Env) => dataSourceOptions(env.DATABASE_URL) }),
    DatabaseModule,
    RedisModule,
    HealthModule,
    AuthModule,
    OrgUnitsModule,
    UsersModule,
  ],
  providers: [
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
  ],
})
export class AppModule {
  /** The API's root module, for one validated environment (tests boot several side by side). */
  static forRoot(env: Env): DynamicModule {
    return { module: AppModule, imports: [EnvModule.forRoot(env)] };
  }
}
