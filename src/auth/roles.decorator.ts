import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse } from '@nestjs/swagger';
import type { Role } from '../common/actor';

export const REQUIRED_ROLE_KEY = 'auth:requiredRole';
/** The OpenAPI extension naming each operation's role, so the document says who may call what. */
export const ROLE_EXTENSION = 'x-required-role';

/**
 * The lowest role that may call a route (viewer < manager < admin). Every route that is not
 * @Public() declares one; the global AuthGuard enforces it, and a test checks every operation of
 * the OpenAPI document has one.
 */
export const RequireRole = (role: Role): MethodDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLE_KEY, role),
    ApiExtension(ROLE_EXTENSION, role),
    ApiForbiddenResponse({ description: `Needs the ${role} role or higher` }),
  );
