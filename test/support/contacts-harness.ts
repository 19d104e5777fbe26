import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from './test-database';
import { CoreModule } from '../../src/common/core.module';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { buildTypeOrmOptions } from '../../src/database/typeorm-options';
import { ContactListsService } from '../../src/contacts/contact-lists.service';
import { ContactsModule } from '../../src/contacts/contacts.module';
import { ContactsService } from '../../src/contacts/contacts.service';
import { ImportService } from '../../src/contacts/import.service';
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
  close(): Promise<void>;
}

/** ContactsModule alone on a fresh migrated database, for tests that call the services directly. */
export async function createContactsHarness(): Promise<ContactsHarness> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'c2d-contacts-'));
  const config = loadAppConfig({
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SCHEDULER_ENABLED: 'false',
  });
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
    close: async () => {
      await module.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
