import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { CredentialsService } from './credentials.service';
import { SignInLimiter } from './sign-in-limiter';

/** Registers the global AuthGuard; routes opt out with @Public() (src/auth/public.decorator.ts). */
@Module({
  controllers: [AuthController],
  providers: [CredentialsService, SignInLimiter, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [CredentialsService],
})
export class AuthModule {}
