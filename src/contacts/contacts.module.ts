import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ContactListsService } from './contact-lists.service';
import { ContactsService } from './contacts.service';
import { ContactImport } from './entities/contact-import.entity';
import { ContactList } from './entities/contact-list.entity';
import { Contact } from './entities/contact.entity';
import { OptOut } from './entities/opt-out.entity';
import { ImportService } from './import.service';
import { ImportsController } from './imports.controller';
import { ListsController } from './lists.controller';
import { OptOutsController } from './opt-outs.controller';
import { OptOutService } from './opt-out.service';

/** Contact lists, contacts, the opt-out register and CSV imports (REST + services for the CLI and campaigns). */
@Module({
  imports: [TypeOrmModule.forFeature([ContactList, Contact, OptOut, ContactImport]), AuditModule],
  controllers: [ListsController, ImportsController, OptOutsController],
  providers: [ContactListsService, ContactsService, OptOutService, ImportService],
  exports: [ContactListsService, ContactsService, OptOutService, ImportService],
})
export class ContactsModule {}
