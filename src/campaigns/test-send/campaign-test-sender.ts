import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { Actor } from '../../common/actor';
import { InvalidInputError } from '../../common/errors/domain-error';
import { DispatchService } from '../../dispatch/dispatch.service';
import { CampaignFinder } from '../campaign-finder';
import { TestSendResponse } from '../dto/campaign-response';
import { Campaign } from '../entities/campaign.entity';
import { ContactData, renderForContact } from '../templates/template-renderer';
import { TemplatesService } from '../templates/templates.service';

/**
 * Sends the campaign's message to one phone, rendered with that phone's contact in the list (or
 * only the defaults when it is not in the list). The dispatcher resolves the client as for a
 * campaign, and refuses (409) a WhatsApp client still inside its new-client delay.
 */
@Injectable()
export class CampaignTestSender {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dispatch: DispatchService,
    private readonly templates: TemplatesService,
    private readonly finder: CampaignFinder,
    private readonly audit: AuditService,
  ) {}

  async send(campaignId: string, rawPhone: string, actor: Actor): Promise<TestSendResponse> {
    const campaign = await this.finder.get(campaignId);
    const phone = rawPhone.replace(/^\+/, '');
    const rendered = renderForContact(
      await this.templates.messageTextOf(campaign),
      await this.contactData(campaign, phone),
    );
    if (!rendered.ok) {
      throw new InvalidInputError(
        'phone',
        `the message cannot be rendered for ${phone}: missing variable(s) ${rendered.missing.join(', ')}; add a default ({{${rendered.missing[0]}|…}}) or use a phone from the list that has them`,
      );
    }
    const sent = await this.dispatch.sendSingle(
      phone,
      campaign.transport,
      Number(campaign.channelId),
      rendered.text,
    );
    await this.audit.record({
      actor,
      action: 'campaign.test_sent',
      entityType: 'campaign',
      entityId: campaign.id,
      details: { phone },
    });
    return { phone, text: rendered.text, clientId: sent.clientId, messageId: sent.messageId };
  }

  private async contactData(campaign: Campaign, phone: string): Promise<ContactData> {
    const rows: Array<{ name: string | null; attributes: Record<string, unknown> }> =
      await this.dataSource.query(`SELECT name, attributes FROM contacts WHERE list_id = $1 AND phone = $2`, [
        campaign.listId,
        phone,
      ]);
    return { phone, name: rows[0]?.name ?? null, attributes: rows[0]?.attributes ?? {} };
  }
}
