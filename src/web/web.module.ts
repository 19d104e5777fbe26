import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { dashboardStaticMiddleware } from './static-assets';

/**
 * Serves the dashboard (src/web/public: plain ES modules and one stylesheet, no build step) at `/`.
 * The files are public — the sign-in page is one of them — and hold no data: every API call they
 * make goes through the global auth guard with the session cookie.
 */
@Module({})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Not in front of the API and the probes: it would look for a file on disk at every such request.
    consumer
      .apply(dashboardStaticMiddleware())
      .exclude(
        { path: 'api/{*path}', method: RequestMethod.GET },
        { path: 'health/{*path}', method: RequestMethod.GET },
        { path: 'metrics', method: RequestMethod.GET },
      )
      .forRoutes({ path: '{*path}', method: RequestMethod.GET });
  }
}
