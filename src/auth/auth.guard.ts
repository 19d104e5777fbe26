import {
  CanActivate,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Role, roleAtLeast } from '../common/actor';
import { ForbiddenError } from '../common/errors/domain-error';
import { CredentialsService } from './credentials.service';
import { IS_PUBLIC_KEY } from './public.decorator';
import { assertAcceptedBody, assertSameOrigin, isUnsafe } from './request-checks';
import { setRequestActor } from './request-actor';
import { REQUIRED_ROLE_KEY } from './roles.decorator';
import { MAX_FAILED_BEARER_KEYS, SignInLimiter } from './sign-in-limiter';

/**
 * Global guard: bodies are JSON or multipart; every route needs credentials unless @Public(), and
 * the role its @RequireRole() names (admin when it names none); changes made with the session
 * cookie must come from the dashboard's origin.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
    private readonly limiter: SignInLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    assertAcceptedBody(request);
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const authenticated = await this.credentials.authenticate(request);
    if (!authenticated) return this.refuse(request);
    if (authenticated.via === 'cookie' && isUnsafe(request)) assertSameOrigin(request);
    const required = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE_KEY, targets) ?? 'admin';
    const { actor } = authenticated;
    if (!roleAtLeast(actor.role, required)) {
      throw new ForbiddenError(
        'role_forbidden',
        `This needs the ${required} role; your role is ${actor.role}`,
        {
          required,
          role: actor.role,
        },
      );
    }
    setRequestActor(request, actor);
    return true;
  }

  /** 401; a wrong Bearer key also counts against the address, and beyond the limit the answer is 429. */
  private async refuse(request: Request): Promise<never> {
    if (this.credentials.bearerOf(request) !== undefined) {
      const key = `bearer:${request.ip ?? 'unknown'}` as const;
      await this.limiter.recordFailure(key);
      const retryAfterMs = await this.limiter.retryAfterMs(key, MAX_FAILED_BEARER_KEYS + 1);
      if (retryAfterMs > 0) {
        request.res?.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
        throw new HttpException(
          {
            statusCode: 429,
            error: 'too_many_wrong_keys',
            message: 'Too many wrong API keys from this address; try again later',
          },
          HttpStatus.TOO_MANY_REQUESTS,
        );
      }
    }
    throw new UnauthorizedException({
      statusCode: 401,
      error: 'unauthorized',
      message: 'Send "Authorization: Bearer <token>" or sign in to the dashboard',
    });
  }
}
