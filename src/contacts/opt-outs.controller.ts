import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service';
import { RequestActor } from '../auth/request-actor';
import { Actor } from '../common/actor';
import { NotFoundError } from '../common/errors/domain-error';
import { CreateOptOutDto, OptOutCreatedResponse, OptOutResponse } from './dto/opt-out.dto';
import { OptOutResult, OptOutService } from './opt-out.service';
import { RequireRole } from '../auth/roles.decorator';

/** The do-not-contact register by hand: a customer who asked by phone or e-mail, not by a stop word. */
@ApiTags('opt-outs')
@ApiBearerAuth()
@Controller('api/opt-outs')
export class OptOutsController {
  constructor(
    private readonly optOuts: OptOutService,
    private readonly audit: AuditService,
  ) {}

  @RequireRole('manager')
  @Post()
  @ApiResponse({ status: 201, type: OptOutCreatedResponse })
  async optOut(@Body() body: CreateOptOutDto, @RequestActor() actor: Actor): Promise<OptOutResult> {
    const result = await this.optOuts.optOut(body.phone, 'manual', body.reason);
    await this.audit.record({
      actor,
      action: 'contact.opted_out',
      entityType: 'phone',
      entityId: result.phone,
      details: { recipientsSkipped: result.recipientsSkipped },
    });
    return result;
  }

  @RequireRole('viewer')
  @Get(':phone')
  @ApiResponse({ status: 200, type: OptOutResponse })
  @ApiResponse({ status: 404, description: 'The phone is not opted out' })
  async get(@Param('phone') phone: string): Promise<OptOutResponse> {
    const optOut = await this.optOuts.find(phone);
    if (!optOut) throw new NotFoundError('Opt-out', phone);
    return OptOutResponse.of(optOut);
  }

  /** The customer asked to hear from us again: future campaigns include the phone. */
  @RequireRole('manager')
  @Delete(':phone')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, description: 'The phone is not opted out' })
  async optIn(@Param('phone') phone: string, @RequestActor() actor: Actor): Promise<void> {
    if (!(await this.optOuts.optIn(phone))) throw new NotFoundError('Opt-out', phone);
    await this.audit.record({
      actor,
      action: 'contact.opted_in',
      entityType: 'phone',
      entityId: phone.replace(/^\+/, ''),
    });
  }
}
