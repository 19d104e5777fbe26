import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CredentialsService } from './credentials.service';
import { IS_PUBLIC_KEY } from './public.decorator';
import { setRequestActor } from './request-actor';

/** Global guard: every route needs the API key or a dashboard session unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const actor = await this.credentials.authenticate(request);
    if (!actor) {
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'unauthorized',
        message: 'Send "Authorization: Bearer <API_KEY>" or sign in to the dashboard',
      });
    }
    setRequestActor(request, actor);
    return true;
  }
}
