import { ChannelDirectory } from '../chat2desk/channel-directory';
import { Injectable } from '@nestjs/common';
import { ContactListStore } from '../contacts/contact-list.store';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { InvalidInputError, InvalidTransitionError } from '../common/errors/domain-error';
import { normalizeName } from '../common/names';
import type { CampaignState } from '../common/domain';
import { CampaignRecipientsStore } from '../recipients/campaign-recipients.store';
import { RunStore } from '../recipients/run.store';
import { DELETABLE_CAMPAIGN_STATES } from './campaign-transitions';
import { CampaignStore } from './campaign.store';
import { Campaign, EDITABLE_CAMPAIGN_FIELDS, EditableCampaign } from './campaign.types';
import {
  CampaignPageResponse,
  CampaignResponse,
  PreviewResponse,
  RecipientCounts,
  RunSummary,
} from './dto/campaign-response';
import type { CreateCampaignDto, UpdateCampaignDto } from './dto/campaign.dto';
import { RecipientSourceStore } from './runs/recipient-source.store';
import { assertCron, assertTimezone, parseScheduledAt } from './scheduling/campaign-schedule';
import { assertSendWindow } from './scheduling/send-window';
import { TemplatesService } from './templates/templates.service';

const MISSING_VARIABLE_EXAMPLES = 5;
const MAX_CAMPAIGN_NAME_LENGTH = 200;

export interface CampaignListFilter {
  state?: CampaignState;
  limit: number;
  offset: number;
}

/** Campaign definitions: create, edit while draft, delete, read with counts, preview. */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly campaigns: CampaignStore,
    private readonly runs: RunStore,
    private readonly recipients: CampaignRecipientsStore,
    private readonly sources: RecipientSourceStore,
    private readonly templates: TemplatesService,
    private readonly audit: AuditService,
    private readonly lists: ContactListStore,
    private readonly channels: ChannelDirectory,
  ) {}

  async create(input: CreateCampaignDto, actor: Actor): Promise<Campaign> {
    const draft: EditableCampaign = {
      name: input.name,
      listId: input.listId,
      contactFilter: {},
      text: null,
      templateId: null,
      transport: input.transport,
      channelId: String(input.channelId),
      scheduledAt: null,
      timezone: 'UTC',
      cron: null,
      sendWindow: null,
      expiresAfterMinutes: null,
      frequencyCapHours: null,
      allowPartial: false,
    };
    await this.applyInput(draft, input);
    const saved = await this.campaigns.insertDraft(draft);
    await this.audit.record({
      actor,
      action: 'campaign.created',
      entityType: 'campaign',
      entityId: saved.id,
      details: { name: saved.name, listId: saved.listId },
    });
    return saved;
  }

  /** Only drafts are edited: a scheduled campaign's forecast and prepared runs would no longer match. */
  async update(id: string, input: UpdateCampaignDto, actor: Actor): Promise<Campaign> {
    const campaign = await this.campaigns.get(id);
    if (campaign.state !== 'draft')
      throw new InvalidTransitionError('Campaign', campaign.state, 'edit', ['draft']);
    await this.applyInput(campaign, input);
    if (!(await this.campaigns.updateDraft(id, pickEditable(campaign))))
      throw new InvalidTransitionError('Campaign', (await this.campaigns.get(id)).state, 'edit', ['draft']);
    await this.audit.record({
      actor,
      action: 'campaign.updated',
      entityType: 'campaign',
      entityId: id,
      details: { fields: Object.keys(input) },
    });
    return this.campaigns.get(id);
  }

  /** Drafts and finished campaigns only; their runs and recipients go with them. */
  async remove(id: string, actor: Actor): Promise<void> {
    const campaign = await this.campaigns.get(id);
    if (!(await this.campaigns.deleteIn(id, DELETABLE_CAMPAIGN_STATES)))
      throw new InvalidTransitionError('Campaign', campaign.state, 'delete', DELETABLE_CAMPAIGN_STATES);
    await this.audit.record({
      actor,
      action: 'campaign.deleted',
      entityType: 'campaign',
      entityId: id,
      details: { name: campaign.name },
    });
  }

  /** With `problems`: failed and skipped recipients by reason ("client creation disabled" × 120). */
  async get(id: string): Promise<CampaignResponse> {
    const [response] = await this.describe([await this.campaigns.get(id)]);
    response.problems = await this.recipients.problemSummary(id);
    return response;
  }

  async list(filter: CampaignListFilter): Promise<CampaignPageResponse> {
    const { items, total } = await this.campaigns.page(filter);
    return { items: await this.describe(items), total, limit: filter.limit, offset: filter.offset };
  }

  /**
   * The first `limit` contacts as they would be sent now, plus the missing-variables check: how
   * many would be skipped for a missing variable, with up to five examples.
   */
  async preview(id: string, limit: number): Promise<PreviewResponse> {
    const campaign = await this.campaigns.get(id);
    const spec = await this.sources.specOf(campaign, await this.templates.messageTextOf(campaign));
    const items = await this.sources.first(spec, limit);
    const missingVariables = await this.sources.missingVariables(spec, MISSING_VARIABLE_EXAMPLES);
    return { items, missingVariables };
  }

  /** Counts (one grouped query for the page) and the latest run of each campaign. */
  private async describe(campaigns: Campaign[]): Promise<CampaignResponse[]> {
    if (campaigns.length === 0) return [];
    const ids = campaigns.map((campaign) => campaign.id);
    const counts = await this.recipients.countsByCampaign(ids);
    const runs = await this.runs.latestByCampaign(ids);
    return campaigns.map((campaign) => {
      const run = runs.find((candidate) => candidate.campaignId === campaign.id);
      const latestRun: RunSummary | null = run
        ? { id: run.id, occurrenceAt: run.occurrenceAt, state: run.state }
        : null;
      return CampaignResponse.of(
        campaign,
        RecipientCounts.fromStates(counts.filter((row) => row.campaignId === campaign.id)),
        latestRun,
      );
    });
  }

  /** Copies given fields onto the campaign and checks the result as a whole (errors name the field and the fix). */
  private async applyInput(campaign: EditableCampaign, input: UpdateCampaignDto): Promise<void> {
    if (input.text !== undefined && input.templateId !== undefined) {
      throw new InvalidInputError('text', 'give exactly one of text and templateId, not both');
    }
    if (input.name !== undefined) campaign.name = normalizeName('name', input.name, MAX_CAMPAIGN_NAME_LENGTH);
    if (input.listId !== undefined) campaign.listId = input.listId;
    if (input.text !== undefined) Object.assign(campaign, { text: input.text, templateId: null });
    if (input.templateId !== undefined)
      Object.assign(campaign, { templateId: String(input.templateId), text: null });
    if (input.transport !== undefined) campaign.transport = input.transport;
    if (input.channelId !== undefined) campaign.channelId = String(input.channelId);
    if (input.timezone !== undefined) campaign.timezone = input.timezone;
    if (input.cron !== undefined) campaign.cron = input.cron;
    if (input.sendWindow !== undefined)
      campaign.sendWindow = {
        start: input.sendWindow.start,
        end: input.sendWindow.end,
        timezone: input.sendWindow.timezone,
      };
    if (input.expiresAfterMinutes !== undefined) campaign.expiresAfterMinutes = input.expiresAfterMinutes;
    if (input.frequencyCapHours !== undefined) campaign.frequencyCapHours = input.frequencyCapHours || null;
    if (input.contactFilter !== undefined) campaign.contactFilter = input.contactFilter;
    if (input.allowPartial !== undefined) campaign.allowPartial = input.allowPartial;
    await this.validate(campaign);
    if (input.scheduledAt !== undefined)
      campaign.scheduledAt = parseScheduledAt(input.scheduledAt, campaign.timezone);
  }

  private async validate(campaign: EditableCampaign): Promise<void> {
    if (!campaign.text && !campaign.templateId)
      throw new InvalidInputError(
        'text',
        'give exactly one of text (the message) and templateId (a Chat2Desk template)',
      );
    if (campaign.text !== null && campaign.text.trim() === '')
      throw new InvalidInputError(
        'text',
        'is blank: write the message (spaces and line breaks alone are not one)',
      );
    if (campaign.text) assertPlaceholdersClosed(campaign.text);
    if (campaign.templateId) await this.templates.get(campaign.templateId);
    await this.assertListExists(campaign.listId);
    await this.channels.assertOffers(Number(campaign.channelId), campaign.transport);
    assertTimezone(campaign.timezone);
    if (campaign.cron) assertCron(campaign.cron, campaign.timezone);
    if (campaign.sendWindow) assertSendWindow(campaign.sendWindow);
    for (const [attribute, value] of Object.entries(campaign.contactFilter ?? {})) {
      if (typeof value !== 'string')
        throw new InvalidInputError(
          `contactFilter.${attribute}`,
          'filter values are strings compared for equality, e.g. {"city": "Moscow"}',
        );
    }
  }

  private async assertListExists(listId: string): Promise<void> {
    if (!(await this.lists.findById(listId)))
      throw new InvalidInputError(
        'listId',
        `there is no contact list ${listId}; GET /api/lists shows the lists`,
      );
  }
}

/** `Hello {{name` would go out verbatim: refuse it when the campaign is written, not when it is sent. */
function assertPlaceholdersClosed(text: string): void {
  const withoutPlaceholders = text.replace(/\{\{[^{}]*\}\}/g, '');
  if (withoutPlaceholders.includes('{{') || withoutPlaceholders.includes('}}')) {
    throw new InvalidInputError(
      'text',
      'has an unclosed or malformed {{variable}}; write {{name}} or {{name|default}}',
    );
  }
}

/** The fields a draft's edit writes back. */
function pickEditable(campaign: Campaign): EditableCampaign {
  return Object.fromEntries(
    EDITABLE_CAMPAIGN_FIELDS.map((field) => [field, campaign[field]]),
  ) as EditableCampaign;
}
