import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { Chat2DeskClient } from '../../chat2desk/chat2desk.client';
import { Chat2DeskClientAlreadyExistsError } from '../../chat2desk/chat2desk.errors';
import { Actor } from '../../common/actor';
import { Clock } from '../../common/clock/clock';
import { DomainError, InvalidInputError } from '../../common/errors/domain-error';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { CampaignFinder } from '../campaign-finder';
import { TestSendResponse } from '../dto/campaign-response';
import { Campaign } from '../entities/campaign.entity';
import { ContactData, renderForContact } from '../templates/template-renderer';
import { TemplatesService } from '../templates/templates.service';

/**
 * Sends the campaign's message to one phone, rendered with that phone's contact in the list (or
 * only the defaults when it is not in the list). It finds or creates the Chat2Desk client and keeps
 * it in the shared client cache, so the WhatsApp new-client delay is respected here too.
 */
@Injectable()
export class CampaignTestSender {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly chat2desk: Chat2DeskClient,
    private readonly templates: TemplatesService,
    private readonly finder: CampaignFinder,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async send(campaignId: string, rawPhone: string, actor: Actor): Promise<TestSendResponse> {
    const campaign = await this.finder.get(campaignId);
    const phone = rawPhone.replace(/^\+/, '');
    const rendered = renderForContact(await this.templates.messageTextOf(campaign), await this.contactData(campaign, phone));
    if (!rendered.ok) {
      throw new InvalidInputError(
        'phone',
        `the message cannot be rendered for ${phone}: missing variable(s) ${rendered.missing.join(', ')}; add a default ({{${rendered.missing[0]}|…}}) or use a phone from the list that has them`,
      );
    }
    const clientId = await this.readyClientId(campaign, phone);
    const context = { campaignId: campaign.id, kind: 'send' as const };
    const result = await this.chat2desk.sendMessage({ clientId, text: rendered.text, transport: campaign.transport, channelId: Number(campaign.channelId) }, context);
    await this.audit.record({ actor, action: 'campaign.test_sent', entityType: 'campaign', entityId: campaign.id, details: { phone } });
    return { phone, text: rendered.text, clientId, messageId: result.message_id ?? null };
  }

  private async contactData(campaign: Campaign, phone: string): Promise<ContactData> {
    const rows: Array<{ name: string | null; attributes: Record<string, unknown> }> = await this.dataSource.query(
      `SELECT name, attributes FROM contacts WHERE list_id = $1 AND phone = $2`,
      [campaign.listId, phone],
    );
    return { phone, name: rows[0]?.name ?? null, attributes: rows[0]?.attributes ?? {} };
  }

  /** The cached client, or a new one; a WhatsApp client still inside its new-client delay is refused with when to retry. */
  private async readyClientId(campaign: Campaign, phone: string): Promise<number> {
    const cached: Array<{ client_id: string; ready_at: Date }> = await this.dataSource.query(
      `SELECT client_id, ready_at FROM chat2desk_clients WHERE phone = $1 AND transport = $2 AND channel_id = $3`,
      [phone, campaign.transport, campaign.channelId],
    );
    const known = cached[0] ?? (await this.createClient(campaign, phone));
    if (known.ready_at > this.clock.now()) {
      throw new DomainError(
        'conflict',
        'test_send_client_not_ready',
        `WhatsApp accepts the first message to this new client at ${known.ready_at.toISOString()}; try the test send again then`,
        { readyAt: known.ready_at.toISOString() },
      );
    }
    return Number(known.client_id);
  }

  private async createClient(campaign: Campaign, phone: string): Promise<{ client_id: string; ready_at: Date }> {
    const context = { campaignId: campaign.id, kind: 'create' as const };
    let clientId: number;
    let createdByUs = true;
    try {
      clientId = (await this.chat2desk.createClient(phone, campaign.transport, Number(campaign.channelId), context)).id;
    } catch (error) {
      if (!(error instanceof Chat2DeskClientAlreadyExistsError) || error.existingClientId === undefined) throw error;
      clientId = error.existingClientId;
      createdByUs = false;
    }
    const delayMs = createdByUs && campaign.transport === 'whatsapp' ? this.config.whatsappNewClientDelaySeconds * 1000 : 0;
    const readyAt = new Date(this.clock.nowMs() + delayMs);
    await this.dataSource.query(
      `INSERT INTO chat2desk_clients (phone, transport, channel_id, client_id, created_by_us, ready_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (phone, transport, channel_id) DO NOTHING`,
      [phone, campaign.transport, campaign.channelId, clientId, createdByUs, readyAt, this.clock.now()],
    );
    return { client_id: String(clientId), ready_at: readyAt };
  }
}
