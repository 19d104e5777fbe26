import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'auth:isPublic';

/**
 * Lets a route (or a whole controller) through the global auth guard without credentials.
 * Only for what must work signed out: /health, the Chat2Desk webhook (it checks its own
 * signature), the dashboard's sign-in page and static assets.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
