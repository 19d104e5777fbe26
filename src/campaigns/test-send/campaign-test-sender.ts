import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { Actor } from '../../common/actor';
import { InvalidInputError } from '../../common/errors/domain-error';
import { ContactListStore } from '../../contacts/contact-list.store';
import { readTypedPhone } from '../../contacts/typed-phone';
import { TestMessageSender } from '../../clients/test-message-sender';
import { CampaignStore } from '../campaign.store';
import type { Campaign } from '../campaign.types';
import { TestSendResponse } from '../dto/campaign-response';
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
    private readonly campaigns: CampaignStore,
    private readonly sender: TestMessageSender,
    private readonly templates: TemplatesService,
    private readonly audit: AuditService,
    private readonly lists: ContactListStore,
  ) {}

  async send(campaignId: string, rawPhone: string, actor: Actor): Promise<TestSendResponse> {
    const campaign = await this.campaigns.get(campaignId);
    const { phone } = readTypedPhone(rawPhone);
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
    const sent = await this.sender.send(phone, campaign.transport, Number(campaign.channelId), rendered.text);
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
    const contact = await this.lists.contactByPhone(campaign.listId, phone);
    return { phone, name: contact?.name ?? null, attributes: contact?.attributes ?? {} };
  }
}
