import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ACTOR_KINDS } from '../common/actor';
import { PaginationQueryDto } from '../common/http/pagination.dto';

export class AuditQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ example: 'campaign' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  entityType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(128)
  entityId?: string;

  @ApiPropertyOptional({
    description: 'Only what this person did (directly or with their tokens)',
    format: 'uuid',
  })
  @IsOptional()
  @IsUUID()
  actorId?: string;
}

export class AuditEventDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: String, format: 'date-time' }) at!: Date;
  @ApiProperty({ enum: ACTOR_KINDS, description: 'How the actor authenticated' }) actor!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The person (directly or through a token)' })
  actorId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Анна Петрова <anna@example.com>' })
  actorName!: string | null;
  @ApiProperty({ example: 'campaign.started' }) action!: string;
  @ApiProperty({ example: 'campaign' }) entityType!: string;
  @ApiProperty({ type: String, nullable: true }) entityId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items!: AuditEventDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}
