import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DatabaseModule } from '../database/database.module';
import { RecipientsModule } from '../recipients/recipients.module';
import { ContactListStore } from './contact-list.store';
import { ContactListsService } from './contact-lists.service';
import { ContactsService } from './contacts.service';
import { ImportRunner } from './import/import-runner';
import { ImportUploadStore } from './import/import-upload.store';
import { ImportStore } from './import/import.store';
import { ImportService } from './import.service';
import { ImportsController } from './imports.controller';
import { ListCountsCompactionJob } from './list-counts-compaction.job';
import { ListsController } from './lists.controller';
import { OptOutStore } from './opt-out.store';
import { OptOutsController } from './opt-outs.controller';
import { OptOutService } from './opt-out.service';

/** Contact lists, contacts, the opt-out register and CSV imports (REST + services for the CLI and campaigns). */
@Module({
  imports: [DatabaseModule, RecipientsModule, AuditModule],
  controllers: [ListsController, ImportsController, OptOutsController],
  providers: [
    ContactListStore,
    ImportStore,
    ImportUploadStore,
    OptOutStore,
    ContactListsService,
    ContactsService,
    OptOutService,
    ImportRunner,
    ImportService,
    ListCountsCompactionJob,
  ],
  exports: [
    ContactListStore,
    ContactListsService,
    ContactsService,
    OptOutService,
    ImportService,
    ImportRunner,
  ],
})
export class ContactsModule {}
