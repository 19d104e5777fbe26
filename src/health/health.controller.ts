import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { HealthReport, HealthService, Readiness } from './health.service';

/**
 * Probes, no credentials. `GET /health` is always HTTP 200 while the process can answer: `status:
 * "degraded"` tells monitors that Chat2Desk or the database is not usable, without a restart loop
 * that would not fix a wrong token or an outage on the vendor's side. For orchestrators and load
 * balancers: `/health/live` (the process answers) and `/health/ready` (503 while the database is
 * unreachable or has migrations pending; Chat2Desk's state does not count, no node could fix it).
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

  @Get('live')
  @ApiOkResponse({ description: 'the process is up' })
  live(): { status: 'live' } {
    return { status: 'live' };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'the database answers and every migration is applied' })
  @ApiServiceUnavailableResponse({ description: 'the database is unreachable or migrations are pending' })
  async ready(@Res({ passthrough: true }) response: Response): Promise<Readiness> {
    const readiness = await this.health.readiness();
    if (!readiness.ready) response.status(503);
    return readiness;
  }
}
