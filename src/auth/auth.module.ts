import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Database } from '../database/database';
import { DatabaseModule } from '../database/database.module';
import { ApiTokenStore } from './api-token.store';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { CredentialsService } from './credentials.service';
import { SessionStore } from './session.store';
import { SignInLimiter } from './sign-in-limiter';

/** Registers the global AuthGuard; routes opt out with @Public() (src/auth/public.decorator.ts). */
@Module({
  imports: [DatabaseModule],
  controllers: [AuthController],
  providers: [
    {
      provide: ApiTokenStore,
      inject: [Database],
      useFactory: (database: Database) => new ApiTokenStore(database.sql),
    },
    {
      provide: SessionStore,
      inject: [Database],
      useFactory: (database: Database) => new SessionStore(database.sql),
    },
    CredentialsService,
    SignInLimiter,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [CredentialsService, ApiTokenStore],
})
export class AuthModule {}
