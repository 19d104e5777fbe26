import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { OptOut } from '../opt-out.store';

export const E164_PATTERN = /^\+?\d{7,15}$/;

export class CreateOptOutDto {
  @ApiProperty({ example: '+79161234567', description: 'E.164, with or without +' })
  @IsString()
  @Matches(E164_PATTERN, {
    message: 'phone must be E.164 digits, e.g. +79161234567 (country code, no spaces)',
  })
  phone!: string;

  @ApiPropertyOptional({ example: 'asked by phone on 2026-11-20' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class OptOutResponse {
  @ApiProperty({ example: '79161234567' }) phone!: string;
  @ApiProperty({ enum: ['webhook', 'manual', 'import'] }) source!: string;
  @ApiPropertyOptional({ nullable: true }) reason!: string | null;
  @ApiProperty() createdAt!: Date;

  static of(optOut: OptOut): OptOutResponse {
    return Object.assign(new OptOutResponse(), {
      phone: optOut.phone,
      source: optOut.source,
      reason: optOut.reason,
      createdAt: optOut.createdAt,
    });
  }
}

export class OptOutCreatedResponse {
  @ApiProperty() phone!: string;
  @ApiProperty({ description: 'False when the phone was already opted out (the first record is kept)' })
  created!: boolean;
  @ApiProperty({ description: 'Contacts, in any list, newly flagged opted out' }) contactsUpdated!: number;
  @ApiProperty({
    description:
      'Recipients not yet sent (any campaign, running ones included) now skipped with reason "opted out"',
  })
  recipientsSkipped!: number;
}
