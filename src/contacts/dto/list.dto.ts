import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import type { ContactListSummary } from '../contact-list.store';
import type { ContactList } from '../contact.types';

export class CreateListDto {
  @ApiProperty({
    example: 'Loyalty customers — Moscow',
    maxLength: 200,
    description:
      'Unique, case-insensitively, in Unicode NFC; spaces around it are trimmed; control and invisible characters (zero-width spaces and joiners, BOM) are refused',
  })
  // Trimmed and normalized by ContactListsService (normalizeName), which refuses what trim() would hide.
  @IsString()
  @MaxLength(200)
  name!: string;
}

export class RenameListDto extends CreateListDto {}

export class ListResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'Contacts in the list' })
  contacts!: number;

  @ApiProperty({ description: 'Contacts opted out (never sent to)' })
  optedOut!: number;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty()
  updatedAt!: Date;

  static of(list: ContactListSummary | ContactList): ListResponse {
    const counts = 'contacts' in list ? list : { contacts: 0, optedOut: 0 };
    return {
      id: list.id,
      name: list.name,
      contacts: counts.contacts,
      optedOut: counts.optedOut,
      createdAt: list.createdAt,
      updatedAt: list.updatedAt,
    };
  }
}
