import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { safeCsvStringifier } from '../common/csv/safe-csv';
import { ImportResponse } from './dto/import.dto';
import { ImportService } from './import.service';
import type { RejectedRow } from './import/import.types';
import { RequireRole } from '../auth/roles.decorator';

@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/imports')
export class ImportsController {
  constructor(private readonly imports: ImportService) {}

  @RequireRole('viewer')
  @Get(':id')
  @ApiResponse({ status: 200, type: ImportResponse })
  async get(@Param('id') id: string): Promise<ImportResponse> {
    return ImportResponse.of(await this.imports.get(id));
  }

  /**
   * line, kind, reason, then the row's original columns: fix the values and upload the rest again.
   * Values a spreadsheet would run as formulas get a leading apostrophe (src/common/csv/safe-csv.ts).
   */
  @RequireRole('manager')
  @Get(':id/rejected.csv')
  @ApiProduces('text/csv')
  @ApiResponse({
    status: 200,
    description: 'CSV (UTF-8 with BOM): line, kind, reason, then the original columns',
  })
  async rejected(@Param('id') id: string, @Res() response: Response): Promise<void> {
    const job = await this.imports.get(id);
    const rows = this.imports.rejectedRows(id);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="rejected-${id}.csv"`);
    await pipeline(
      Readable.from(withHeader(['line', 'kind', 'reason', ...(job.header ?? [])], rows)),
      safeCsvStringifier(),
      response,
    ).catch(() => response.destroy());
  }
}

async function* withHeader(header: string[], rows: AsyncGenerator<RejectedRow>): AsyncGenerator<string[]> {
  yield header;
  for await (const row of rows) yield [String(row.line), row.kind, row.reason, ...row.originalValues];
}
