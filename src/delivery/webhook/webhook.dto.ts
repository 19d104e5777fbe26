import { ApiProperty } from '@nestjs/swagger';
import { IsUrl } from 'class-validator';

export class RegisterWebhookDto {
  @ApiProperty({
    example: 'https://campaigns.example.com/api/webhooks/chat2desk',
    description: 'Public URL of POST /api/webhooks/chat2desk',
  })
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  url!: string;
}

export class WebhookRegistrationResponse {
  @ApiProperty()
  url!: string;

  @ApiProperty({ enum: ['webhooks', 'company_hook'] })
  api!: string;

  @ApiProperty({ type: [String], example: ['inbox', 'outbox', 'outbox_status'] })
  events!: string[];
}

export class WebhookOutcomeResponse {
  @ApiProperty({ enum: ['opted_out', 'inbox', 'stop_word_unknown_client', 'status', 'ignored'] })
  handled!: string;
}
