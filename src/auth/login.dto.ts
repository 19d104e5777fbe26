import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ description: 'The API key (API_KEY, or the one printed at first start)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  apiKey!: string;
}

export class SessionDto {
  @ApiProperty({ enum: ['api-key', 'dashboard'] })
  actor!: string;

  @ApiProperty({ required: false, type: String, format: 'date-time' })
  expiresAt?: Date;
}
