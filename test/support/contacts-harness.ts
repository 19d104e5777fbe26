import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DataSource } from 'typeorm';
import { startTestBackends } from './test-backends';
import { TestDatabase } from './test-database';
import { CoreModule } from '../../src/common/core.module';
import { AppConfig } from '../../src/config/app-config';
import { buildTypeOrmOptions } from '../../src/database/typeorm-options';
import { ContactListsService } from '../../src/contacts/contact-lists.service';
import { ContactsModule } from '../../src/contacts/contacts.module';
import { ContactsService } from '../../src/contacts/contacts.service';
import { ImportService, NewImport } from '../../src/contacts/import.service';
import { ImportRunner } from '../../src/contacts/import/import-runner';
import type { ContactImport } from '../../src/contacts/import/import.types';
import { OptOutService } from '../../src/contacts/opt-out.service';

/** This directory: the fixture corpus. */
export const FIXTURES = join(__dirname, '..', 'fixtures', 'contacts');

export interface ContactsHarness {
  module: TestingModule;
  config: AppConfig;
  database: TestDatabase;
  dataSource: DataSource;
  lists: ContactListsService;
  contacts: ContactsService;
  optOuts: OptOutService;
  imports: ImportService;
  runner: ImportRunner;
  /** Stores the file as an upload and queues its import job (not run yet). */
  queueImport(
    listId: string,
    path: string,
    options?: Partial<Omit<NewImport, 'listId' | 'upload'>>,
  ): Promise<ContactImport>;
  close(): Promise<void>;
}

/**
 * ContactsModule alone on a fresh migrated database, for tests that call the services directly.
 * A sandbox stands in for Chat2Desk: the import metrics' module brings the Chat2Desk client.
 */
export async function createContactsHarness(): Promise<ContactsHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'c2d-contacts-'));
  const backends = await startTestBackends({ DATA_DIR: dataDir });
  const { config, database } = backends;
  const module = await Test.createTestingModule({
    imports: [
      CoreModule.forRoot(config),
      TypeOrmModule.forRoot(buildTypeOrmOptions(database.url)),
      ContactsModule,
    ],
  })
    .setLogger(false as never)
    .compile();
  await module.init();
  return {
    module,
    config,
    database,
    dataSource: module.get(DataSource),
    lists: module.get(ContactListsService),
    contacts: module.get(ContactsService),
    optOuts: module.get(OptOutService),
    imports: module.get(ImportService),
    runner: module.get(ImportRunner),
    queueImport: async (listId, path, options = {}) => {
      const imports = module.get(ImportService);
      const upload = await imports.storeUpload(createReadStream(path));
      return imports.create({
        listId,
        upload,
        originalName: basename(path),
        defaultCountry: 'RU',
        ...options,
      });
    },
    close: async () => {
      await module.close();
      await backends.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
