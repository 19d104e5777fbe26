import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TemplatesQuery } from '../dto/campaign.dto';
import type { MessageTemplate } from './template.store';
import { TemplatesService } from './templates.service';
import { RequireRole } from '../../auth/roles.decorator';

export class TemplateResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() text!: string;
  @ApiProperty() syncedAt!: Date;

  static of(template: MessageTemplate): TemplateResponse {
    return { id: Number(template.id), name: template.name, text: template.text, syncedAt: template.syncedAt };
  }
}

@ApiTags('templates')
@ApiBearerAuth()
@Controller('api/templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @RequireRole('viewer')
  @Get()
  @ApiResponse({
    status: 200,
    type: [TemplateResponse],
    description: 'The local copy; ?refresh=true syncs from Chat2Desk first',
  })
  async list(@Query() query: TemplatesQuery): Promise<TemplateResponse[]> {
    return (await this.templates.list(query.refresh === 'true')).map((template) =>
      TemplateResponse.of(template),
    );
  }
}
