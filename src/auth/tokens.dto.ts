import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../common/actor';
import type { PersonalToken } from './api-token.store';

export class CreateTokenDto {
  @ApiProperty({ example: 'CRM sync' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ enum: ROLES, description: 'At most your own role (the default)' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;
}

export class TokenDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ format: 'uuid', description: 'The person it belongs to' }) userId!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) lastUsedAt!: Date | null;

  static of(token: PersonalToken): TokenDto {
    const { id, name, role, userId, createdAt, lastUsedAt } = token;
    return { id, name, role, userId, createdAt, lastUsedAt };
  }
}

export class CreatedTokenDto extends TokenDto {
  @ApiProperty({ description: 'Shown once; send it as "Authorization: Bearer <token>"' })
  token!: string;
}
