import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { HealthReport, HealthService } from './health.service';

/**
 * `GET /health`, no credentials. Always HTTP 200 while the process can answer: `status: "degraded"`
 * tells monitors that Chat2Desk or the database is not usable, without a restart loop that would
 * not fix a wrong token or an outage on the vendor's side.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOkResponse({ description: 'status ok | degraded, with database, chat2desk and quota details' })
  report(): Promise<HealthReport> {
    return this.health.report();
  }
}
