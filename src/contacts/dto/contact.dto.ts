import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsISO31661Alpha2,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsSafeInt } from '../../common/http/validators';
import { MAX_PAGE_SIZE } from '../contacts.service';
import type { ContactPage } from '../contacts.service';
import type { Contact } from '../contact.types';

export class BrowseContactsQuery {
  @ApiPropertyOptional({ description: 'Part of the phone (digits) or of the name', example: '916' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsSafeInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsSafeInt()
  @Min(0)
  offset?: number;
}

export class ContactResponse {
  @ApiProperty({ description: 'bigint, as a string' })
  id!: string;

  @ApiProperty({ example: '79161234567', description: 'E.164 digits without +' })
  phone!: string;

  @ApiProperty({ nullable: true, type: String })
  name!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Every other CSV column',
  })
  attributes!: Record<string, string>;

  @ApiProperty()
  optedOut!: boolean;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'mobile',
    description: 'mobile, fixed_line, fixed_line_or_mobile, …',
  })
  phoneType!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'RU' })
  country!: string | null;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty()
  updatedAt!: Date;

  static of(contact: Contact): ContactResponse {
    const { id, phone, name, attributes, optedOut, phoneType, country, createdAt, updatedAt } = contact;
    return { id, phone, name, attributes, optedOut, phoneType, country, createdAt, updatedAt };
  }
}

export class ContactPageResponse {
  @ApiProperty({ type: [ContactResponse] })
  items!: ContactResponse[];

  @ApiProperty({ description: 'Contacts matching the search in the whole list' })
  total!: number;

  @ApiProperty()
  limit!: number;

  @ApiProperty()
  offset!: number;

  static of(page: ContactPage): ContactPageResponse {
    return { ...page, items: page.items.map((contact) => ContactResponse.of(contact)) };
  }
}

export class CreateContactDto {
  @ApiProperty({
    example: '8 916 123-45-67',
    description: 'Any written form; without a country code read in defaultCountry',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  phone!: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'Анна Смирнова' })
  @IsOptional()
  @IsString()
  name?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { Город: 'Москва' },
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string>;

  @ApiPropertyOptional({ example: 'RU', default: 'RU' })
  @IsOptional()
  @IsISO31661Alpha2()
  defaultCountry?: string;
}

export class UpdateContactDto {
  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  name?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Replaces all of the contact’s attributes',
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, string>;
}
