import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Inject } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ContactListsService } from './contact-lists.service';
import { ContactsService } from './contacts.service';
import {
  BrowseContactsQuery,
  ContactPageResponse,
  ContactResponse,
  CreateContactDto,
  UpdateContactDto,
} from './dto/contact.dto';
import { ImportAcceptedResponse, ImportOptionsDto, ImportResponse, ImportUploadDto } from './dto/import.dto';
import { CreateListDto, ListResponse, RenameListDto } from './dto/list.dto';
import { ImportService } from './import.service';
import { receiveUpload } from './import/upload-receiver';
import { RequireRole } from '../auth/roles.decorator';
import { AuditService } from '../audit/audit.service';
import { RequestActor } from '../auth/request-actor';
import { Actor } from '../common/actor';

@ApiTags('lists')
@ApiBearerAuth()
@Controller('api/lists')
export class ListsController {
  constructor(
    private readonly lists: ContactListsService,
    private readonly contacts: ContactsService,
    private readonly imports: ImportService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @RequireRole('manager')
  @Post()
  @ApiResponse({ status: 201, type: ListResponse })
  @ApiResponse({ status: 409, description: 'A list with this name exists' })
  async create(@Body() body: CreateListDto, @RequestActor() actor: Actor): Promise<ListResponse> {
    const list = await this.lists.create(body.name);
    await this.audit.record({
      actor,
      action: 'list.created',
      entityType: 'list',
      entityId: list.id,
      details: { name: list.name },
    });
    return ListResponse.of(list);
  }

  @RequireRole('viewer')
  @Get()
  @ApiResponse({ status: 200, type: [ListResponse] })
  async list(): Promise<ListResponse[]> {
    return (await this.lists.list()).map((list) => ListResponse.of(list));
  }

  @RequireRole('viewer')
  @Get(':id')
  @ApiResponse({ status: 200, type: ListResponse })
  async get(@Param('id') id: string): Promise<ListResponse> {
    return ListResponse.of(await this.lists.get(id));
  }

  @RequireRole('manager')
  @Patch(':id')
  @ApiResponse({ status: 200, type: ListResponse })
  async rename(
    @Param('id') id: string,
    @Body() body: RenameListDto,
    @RequestActor() actor: Actor,
  ): Promise<ListResponse> {
    const list = await this.lists.rename(id, body.name);
    await this.audit.record({
      actor,
      action: 'list.renamed',
      entityType: 'list',
      entityId: id,
      details: { name: list.name },
    });
    return ListResponse.of(await this.lists.get(id));
  }

  @RequireRole('manager')
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async delete(@Param('id') id: string, @RequestActor() actor: Actor): Promise<void> {
    await this.lists.delete(id);
    await this.audit.record({ actor, action: 'list.deleted', entityType: 'list', entityId: id });
  }

  @RequireRole('viewer')
  @Get(':id/contacts')
  @ApiResponse({ status: 200, type: ContactPageResponse })
  async browse(@Param('id') id: string, @Query() query: BrowseContactsQuery): Promise<ContactPageResponse> {
    return ContactPageResponse.of(await this.contacts.browse(id, query));
  }

  @RequireRole('manager')
  @Post(':id/contacts')
  @ApiResponse({ status: 201, type: ContactResponse })
  @ApiResponse({ status: 409, description: 'The list already has the phone' })
  async addContact(
    @Param('id') listId: string,
    @Body() body: CreateContactDto,
    @RequestActor() actor: Actor,
  ): Promise<ContactResponse> {
    const contact = await this.contacts.add(listId, body);
    await this.audit.record({
      actor,
      action: 'contact.added',
      entityType: 'list',
      entityId: listId,
      details: { phone: contact.phone },
    });
    return ContactResponse.of(contact);
  }

  @RequireRole('manager')
  @Patch(':id/contacts/:contactId')
  @ApiResponse({ status: 200, type: ContactResponse })
  async updateContact(
    @Param('id') listId: string,
    @Param('contactId') contactId: string,
    @Body() body: UpdateContactDto,
    @RequestActor() actor: Actor,
  ): Promise<ContactResponse> {
    const contact = await this.contacts.update(listId, contactId, body);
    await this.audit.record({
      actor,
      action: 'contact.updated',
      entityType: 'list',
      entityId: listId,
      details: { phone: contact.phone },
    });
    return ContactResponse.of(contact);
  }

  @RequireRole('manager')
  @Delete(':id/contacts/:contactId')
  @HttpCode(HttpStatus.NO_CONTENT)
  async removeContact(
    @Param('id') listId: string,
    @Param('contactId') contactId: string,
    @RequestActor() actor: Actor,
  ): Promise<void> {
    await this.contacts.remove(listId, contactId);
    await this.audit.record({
      actor,
      action: 'contact.deleted',
      entityType: 'list',
      entityId: listId,
      details: { contactId },
    });
  }

  @RequireRole('manager')
  @Post(':id/imports')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImportUploadDto })
  @ApiResponse({
    status: 202,
    type: ImportAcceptedResponse,
    description: 'Queued; poll GET /api/imports/:id',
  })
  @ApiResponse({ status: 413, description: 'Larger than IMPORT_MAX_FILE_MB' })
  async upload(
    @Param('id') listId: string,
    @Req() request: Request,
    @RequestActor() actor: Actor,
  ): Promise<ImportAcceptedResponse> {
    await this.lists.assertExists(listId);
    const received = await receiveUpload(
      request,
      {
        store: (content) => this.imports.storeUpload(content),
        discard: (upload) => this.imports.discardUpload(upload),
      },
      this.config.imports.maxBytes,
    );
    try {
      const options = ImportOptionsDto.parse(received.fields);
      const job = await this.imports.create({
        listId,
        upload: received.upload,
        originalName: received.originalName,
        ...options,
      });
      await this.audit.record({
        actor,
        action: 'import.started',
        entityType: 'import',
        entityId: job.id,
        details: { listId, fileName: job.originalName, bytes: job.fileBytes },
      });
      this.imports.startSoon();
      return { id: job.id, status: job.status };
    } catch (error) {
      await this.imports.discardUpload(received.upload);
      throw error;
    }
  }

  @RequireRole('viewer')
  @Get(':id/imports')
  @ApiResponse({ status: 200, type: [ImportResponse] })
  async history(@Param('id') listId: string): Promise<ImportResponse[]> {
    return (await this.imports.listForList(listId)).map((job) => ImportResponse.of(job));
  }
}
