import { Injectable } from '@nestjs/common';
import { Chat2DeskClient } from '../../chat2desk/chat2desk.client';
import { Template } from '../../chat2desk/chat2desk.types';
import { Clock } from '../../common/clock/clock';
import { InvalidInputError } from '../../common/errors/domain-error';
import type { Sql } from '../../database/sql';
import type { Campaign } from '../campaign.types';
import { MessageTemplate, TemplateStore } from './template.store';

/** Chat2Desk templates, copied locally on demand so campaigns render without a request per use. */
@Injectable()
export class TemplatesService {
  constructor(
    private readonly store: TemplateStore,
    private readonly chat2desk: Chat2DeskClient,
    private readonly clock: Clock,
  ) {}

  /**
   * One `GET /v1/templates`, upserted by id. Templates deleted in Chat2Desk are kept: campaigns that
   * use them must still render.
   */
  async sync(): Promise<MessageTemplate[]> {
    const remote = await this.chat2desk.templates();
    const syncedAt = this.clock.now();
    const rows = remote
      .filter((template) => typeof template.text === 'string')
      .map((template) => toLocal(template, syncedAt));
    if (rows.length > 0) await this.store.upsert(rows);
    return this.store.all();
  }

  /** The local copy; synced first when asked to or when nothing was ever synced. */
  async list(refresh = false): Promise<MessageTemplate[]> {
    if (refresh || (await this.store.isEmpty())) return this.sync();
    return this.store.all();
  }

  /** A template by Chat2Desk id, syncing once if it is not known locally yet. */
  async get(id: string): Promise<MessageTemplate> {
    const local = await this.store.find(id);
    if (local) return local;
    const synced = (await this.sync()).find((template) => template.id === id);
    if (!synced)
      throw new InvalidInputError(
        'templateId',
        `Chat2Desk has no template ${id}; GET /api/templates?refresh=true lists the templates`,
      );
    return synced;
  }

  /** The campaign's message before variables: its own text, or the text of its template (read with `sql`, e.g. a transaction's). */
  async messageTextOf(campaign: Pick<Campaign, 'text' | 'templateId'>, sql?: Sql): Promise<string> {
    if (campaign.text !== null) return campaign.text;
    const template = await this.store.find(campaign.templateId!, sql);
    return template ? template.text : (await this.get(campaign.templateId!)).text;
  }
}

function toLocal(template: Template, syncedAt: Date): MessageTemplate {
  return {
    id: String(template.id),
    name: template.name?.trim() || template.command?.trim() || `Template ${template.id}`,
    text: template.text,
    syncedAt,
  };
}
