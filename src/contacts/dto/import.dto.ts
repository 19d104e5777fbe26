import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsISO31661Alpha2, IsOptional, IsString, MaxLength, validateSync } from 'class-validator';
import { InvalidInputError } from '../../common/errors/domain-error';
import { assertNoNul } from '../../common/http/nul-guard';
import type { ContactImport, ImportMode, ImportStatus } from '../import/import.types';

/** The multipart fields next to `file`. */
export class ImportOptionsDto {
  @ApiPropertyOptional({
    example: 'RU',
    description: 'ISO 3166 alpha-2 country for numbers written without a country code',
  })
  @IsOptional()
  @IsISO31661Alpha2()
  defaultCountry?: string;

  @ApiPropertyOptional({
    enum: ['update', 'skip'],
    default: 'update',
    description: 'What to do with phones already in the list',
  })
  @IsOptional()
  @IsIn(['update', 'skip'])
  mode?: ImportMode;

  @ApiPropertyOptional({ description: 'Header of the phone column, when it is not detected' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  phoneColumn?: string;

  @ApiPropertyOptional({ description: 'Header of the name column, when it is not detected' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  nameColumn?: string;

  /** Multipart fields bypass the global ValidationPipe; same rules, same 400 naming the field. */
  static parse(fields: Record<string, string>): ImportOptionsDto {
    const allowed = ['defaultCountry', 'mode', 'phoneColumn', 'nameColumn'];
    const unknown = Object.keys(fields).find((field) => !allowed.includes(field));
    if (unknown)
      throw new InvalidInputError(unknown, `is not an import option; expected file, ${allowed.join(', ')}`);
    for (const [field, value] of Object.entries(fields)) assertNoNul(field, value);
    const options = plainToInstance(ImportOptionsDto, fields);
    if (options.defaultCountry) options.defaultCountry = options.defaultCountry.toUpperCase();
    const [error] = validateSync(options);
    if (error) throw new InvalidInputError(error.property, Object.values(error.constraints ?? {}).join('; '));
    return options;
  }
}

/** Swagger-only description of the multipart body. */
export class ImportUploadDto extends ImportOptionsDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'CSV (.csv, .tsv, .txt): UTF-8, Windows-1251 or UTF-16; , ; or tab',
  })
  file!: unknown;
}

export class ImportAcceptedResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] })
  status!: ImportStatus;
}

export class ImportProgressResponse {
  @ApiProperty({ description: 'Rows parsed so far' })
  rows!: number;

  @ApiProperty()
  bytesRead!: number;

  @ApiProperty()
  totalBytes!: number;
}

export class ImportResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  listId!: string;

  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed'] })
  status!: ImportStatus;

  @ApiProperty({ description: 'Data rows in the file; rows = imported + updated + duplicates + invalid' })
  rows!: number;

  @ApiProperty({ description: 'New contacts added to the list' })
  imported!: number;

  @ApiProperty({ description: 'Contacts already in the list, merged (mode update)' })
  updated!: number;

  @ApiProperty({ description: 'Repeated phones in the file, plus phones already in the list in mode skip' })
  duplicates!: number;

  @ApiProperty({ description: 'Rows without a usable phone; see rejected.csv' })
  invalid!: number;

  @ApiProperty({ nullable: true, type: String, description: 'Why the import failed and how to fix the file' })
  error!: string | null;

  @ApiProperty({ nullable: true, type: Date })
  startedAt!: Date | null;

  @ApiProperty({ nullable: true, type: Date })
  finishedAt!: Date | null;

  @ApiProperty()
  fileName!: string;

  @ApiProperty({ enum: ['update', 'skip'] })
  mode!: ImportMode;

  @ApiProperty({ nullable: true, type: String })
  defaultCountry!: string | null;

  @ApiProperty({ type: ImportProgressResponse })
  progress!: ImportProgressResponse;

  @ApiProperty()
  createdAt!: Date;

  static of(job: ContactImport): ImportResponse {
    return {
      id: job.id,
      listId: job.listId,
      status: job.status,
      rows: job.rows,
      imported: job.imported,
      updated: job.updated,
      duplicates: job.duplicates,
      invalid: job.invalid,
      error: job.error,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      fileName: job.originalName,
      mode: job.mode,
      defaultCountry: job.defaultCountry,
      progress: { rows: job.progressRows, bytesRead: job.progressBytes, totalBytes: job.fileBytes },
      createdAt: job.createdAt,
    };
  }
}
