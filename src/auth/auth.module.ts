import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { APP_GUARD } from '@nestjs/core';
import { Database } from '../database/database';
import { DatabaseModule } from '../database/database.module';
import { ApiTokenStore } from './api-token.store';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { CredentialsService } from './credentials.service';
import { SessionStore } from './session.store';
import { SignInLimiter } from './sign-in-limiter';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';
import { UserStore } from './user.store';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/**
 * Team access: people, roles, personal tokens, sessions, and the global AuthGuard (routes declare
 * their role with @RequireRole(), or opt out with @Public()).
 */
@Module({
  imports: [DatabaseModule, AuditModule],
  controllers: [AuthController, UsersController, TokensController],
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
    UserStore,
    CredentialsService,
    UsersService,
    TokensService,
    SignInLimiter,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [CredentialsService, ApiTokenStore],
})
export class AuthModule {}
