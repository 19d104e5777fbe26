import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Actor, SYSTEM_ACTOR } from '../common/actor';

const ACTOR = Symbol('actor');

type RequestWithActor = Request & { [ACTOR]?: Actor };

export function setRequestActor(request: Request, actor: Actor): void {
  (request as RequestWithActor)[ACTOR] = actor;
}

/** The authenticated actor of a request; `system` on public routes, where nobody signed in. */
export function getRequestActor(request: Request): Actor {
  return (request as RequestWithActor)[ACTOR] ?? SYSTEM_ACTOR;
}

/**
 * Controller parameter with who is calling, for the audit log:
 * `start(@Param('id') id: string, @RequestActor() actor: Actor)`.
 */
export const RequestActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor =>
  getRequestActor(context.switchToHttp().getRequest<Request>()),
);
