import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../../auth/public.decorator';
import { RequireRole } from '../../auth/roles.decorator';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { Chat2DeskWebhookService, WebhookOutcome } from './chat2desk-webhook.service';
import { RegisterWebhookDto, WebhookOutcomeResponse, WebhookRegistrationResponse } from './webhook.dto';
import { WebhookRegistrationResult, WebhookRegistrationService } from './webhook-registration.service';
import { WebhookSecretMissingError } from './webhook-secret';
import { DEFAULT_SIGNATURE_HEADER, isValidWebhookSignature } from './webhook-signature';

@ApiTags('webhooks')
@Controller('api/webhooks')
export class WebhooksController {
  constructor(
    private readonly webhooks: Chat2DeskWebhookService,
    private readonly registration: WebhookRegistrationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Public: Chat2Desk has no API key of ours; the HMAC signature authenticates it (no secret, no webhook). */
  @Public()
  @Post('chat2desk')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Chat2Desk events: stop words opt out, outbox statuses update recipients' })
  @ApiHeader({
    name: DEFAULT_SIGNATURE_HEADER,
    required: true,
    description:
      'HMAC-SHA256 of the raw body (hex) with CHAT2DESK_WEBHOOK_SECRET; the name is CHAT2DESK_WEBHOOK_SIGNATURE_HEADER',
  })
  @ApiResponse({ status: 200, type: WebhookOutcomeResponse })
  @ApiResponse({ status: 401, description: 'Signature missing or wrong' })
  @ApiResponse({ status: 503, description: 'CHAT2DESK_WEBHOOK_SECRET is not set: the webhook is off' })
  async receive(@Req() request: RawBodyRequest<Request>): Promise<WebhookOutcome> {
    const secret = this.config.webhookSecret;
    if (!secret) throw new WebhookSecretMissingError('receive');
    const signature = request.headers[this.config.webhookSignatureHeader];
    if (
      !request.rawBody ||
      !isValidWebhookSignature(request.rawBody, Array.isArray(signature) ? signature[0] : signature, secret)
    ) {
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'webhook_signature_invalid',
        message: `Webhook signature is missing or wrong: send the HMAC-SHA256 of the raw body in ${this.config.webhookSignatureHeader}`,
      });
    }
    const body: unknown = request.body;
    return this.webhooks.handle(
      body !== null && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : {},
    );
  }

  @RequireRole('admin')
  @Post('register')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Register this service as the Chat2Desk webhook' })
  @ApiResponse({ status: 201, type: WebhookRegistrationResponse })
  @ApiResponse({ status: 503, description: 'CHAT2DESK_WEBHOOK_SECRET is not set' })
  register(@Body() body: RegisterWebhookDto): Promise<WebhookRegistrationResult> {
    return this.registration.register(body.url);
  }
}
