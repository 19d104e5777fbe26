import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';
import { ACTOR_KINDS, ROLES, type Role } from '../common/actor';

/** A person signs in with e-mail and password; the service key (API_KEY) still opens the dashboard too. */
export class LoginDto {
  @ApiPropertyOptional({ example: 'anna@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(256)
  password?: string;

  @ApiPropertyOptional({
    description:
      'The service key (API_KEY, or the one printed at first start), instead of e-mail and password',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  apiKey?: string;
}

export class SessionDto {
  @ApiProperty({ enum: ACTOR_KINDS, description: 'How you are signed in' })
  actor!: string;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiPropertyOptional({ description: 'The person, when signed in as one' })
  user?: { id: string; name: string };

  @ApiPropertyOptional({ description: 'Whether any person exists yet (none: create the first admin)' })
  hasPeople?: boolean;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  expiresAt?: Date;
}
