import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditPageDto, AuditQueryDto } from './audit.dto';
import { AuditService } from './audit.service';
import { RequireRole } from '../auth/roles.decorator';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @RequireRole('viewer')
  @Get()
  @ApiOperation({ summary: 'Audit log, newest first: who created, started, paused, cancelled what and when' })
  @ApiOkResponse({ type: AuditPageDto })
  list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.find(query);
  }
}
