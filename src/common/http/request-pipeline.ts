import type { INestApplication } from '@nestjs/common';
import { bodyParsers } from './body-parsers';
import { rejectNulCharacters } from './nul-guard';

/**
 * What every request goes through before routing, in place of Nest's own body parsers (create the
 * app with `bodyParser: false`): JSON and urlencoded bodies within the size and depth limits, the
 * raw bytes kept for the webhook's signature, then no NUL character anywhere. Each refusal is a
 * domain error naming the field, answered by the one exception filter.
 */
export function useRequestPipeline(app: INestApplication): void {
  for (const parser of bodyParsers()) app.use(parser);
  app.use(rejectNulCharacters);
}
