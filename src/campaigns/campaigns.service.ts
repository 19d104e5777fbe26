import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../common/actor';
import { InvalidInputError, InvalidTransitionError } from '../common/errors/domain-error';
import { DispatchService } from '../dispatch/dispatch.service';
import type { CampaignState, RecipientState } from '../common/domain';
import { DELETABLE_CAMPAIGN_STATES } from './campaign-transitions';
import { CampaignFinder } from './campaign-finder';
import {
  CampaignPageResponse,
  CampaignResponse,
  PreviewItem,
  PreviewResponse,
  RecipientCounts,
  RunSummary,
} from './dto/campaign-response';
import type { CreateCampaignDto, UpdateCampaignDto } from './dto/campaign.dto';
import { Campaign } from './entities/campaign.entity';
import { recipientSourceSql, recipientSpecOf } from './runs/recipient-source';
import { assertCron, assertTimezone, parseScheduledAt } from './scheduling/campaign-schedule';
import { assertSendWindow } from './scheduling/send-window';
import { MISSING_VARIABLE_LIKE } from './templates/template-renderer';
import { SqlParams } from './templates/template-sql';
import { TemplatesService } from './templates/templates.service';

const MISSING_VARIABLE_EXAMPLES = 5;

export interface CampaignListFilter {
  state?: CampaignState;
  limit: number;
  offset: number;
}

/** Campaign definitions: create, edit while draft, delete, read with counts, preview. */
@Injectable()
export class CampaignsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly templates: TemplatesService,
    private readonly finder: CampaignFinder,
    private readonly audit: AuditService,
    private readonly dispatch: DispatchService,
  ) {}

  async create(input: CreateCampaignDto, actor: Actor): Promise<Campaign> {
    const campaign = this.dataSource
      .getRepository(Campaign)
      .create({ state: 'draft', timezone: 'UTC', contactFilter: {}, allowPartial: false });
    await this.applyInput(campaign, input);
    const saved = await this.dataSource.getRepository(Campaign).save(campaign);
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
    const campaign = await this.finder.get(id);
    if (campaign.state !== 'draft')
      throw new InvalidTransitionError('Campaign', campaign.state, 'edit', ['draft']);
    await this.applyInput(campaign, input);
    const result = await this.dataSource
      .getRepository(Campaign)
      .update({ id, state: 'draft' }, pickEditable(campaign));
    if (result.affected !== 1)
      throw new InvalidTransitionError('Campaign', (await this.finder.get(id)).state, 'edit', ['draft']);
    await this.audit.record({
      actor,
      action: 'campaign.updated',
      entityType: 'campaign',
      entityId: id,
      details: { fields: Object.keys(input) },
    });
    return this.finder.get(id);
  }

  /** Drafts and finished campaigns only; their runs and recipients go with them. */
  async remove(id: string, actor: Actor): Promise<void> {
    const campaign = await this.finder.get(id);
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(Campaign)
      .where('id = :id AND state IN (:...states)', { id, states: DELETABLE_CAMPAIGN_STATES })
      .execute();
    if (result.affected !== 1)
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
    const [response] = await this.describe([await this.finder.get(id)]);
    response.problems = await this.dispatch.problemSummary(id);
    return response;
  }

  async list(filter: CampaignListFilter): Promise<CampaignPageResponse> {
    const [campaigns, total] = await this.dataSource.getRepository(Campaign).findAndCount({
      where: filter.state ? { state: filter.state } : {},
      order: { createdAt: 'DESC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return { items: await this.describe(campaigns), total, limit: filter.limit, offset: filter.offset };
  }

  /**
   * The first `limit` contacts as they would be sent now, plus the missing-variables check: how
   * many would be skipped for a missing variable, with up to five examples.
   */
  async preview(id: string, limit: number): Promise<PreviewResponse> {
    const campaign = await this.finder.get(id);
    const messageText = await this.templates.messageTextOf(campaign);
    const spec = await recipientSpecOf(this.dataSource.manager, campaign, messageText);
    const itemsParams = new SqlParams();
    const items = await this.previewRows(
      `SELECT * FROM (${recipientSourceSql(spec, itemsParams)}) src ORDER BY src.contact_id LIMIT ${itemsParams.add(limit)}`,
      itemsParams,
    );
    const missingParams = new SqlParams();
    const missing = `SELECT * FROM (${recipientSourceSql(spec, missingParams)}) src WHERE src.skip_reason LIKE ${missingParams.add(MISSING_VARIABLE_LIKE)}`;
    const [{ count }]: Array<{ count: string }> = await this.dataSource.query(
      `SELECT count(*)::text AS count FROM (${missing}) m`,
      missingParams.values,
    );
    const examples = await this.previewRows(
      `${missing} ORDER BY src.contact_id LIMIT ${MISSING_VARIABLE_EXAMPLES}`,
      missingParams,
    );
    return { items, missingVariables: { count: Number(count), examples } };
  }

  private async previewRows(sql: string, params: SqlParams): Promise<PreviewItem[]> {
    const rows: Array<{
      phone: string;
      name: string | null;
      text: string | null;
      skip_reason: string | null;
    }> = await this.dataSource.query(sql, params.values);
    return rows.map((row) => ({
      phone: row.phone,
      name: row.name,
      text: row.text,
      skipReason: row.skip_reason,
    }));
  }

  /** Counts (one grouped query for the page) and the latest run of each campaign. */
  private async describe(campaigns: Campaign[]): Promise<CampaignResponse[]> {
    if (campaigns.length === 0) return [];
    const ids = campaigns.map((campaign) => campaign.id);
    const counts: Array<{ campaign_id: string; state: RecipientState; count: number }> =
      await this.dataSource.query(
        `SELECT campaign_id, state, count(*)::int AS count FROM campaign_recipients WHERE campaign_id = ANY($1::uuid[]) GROUP BY campaign_id, state`,
        [ids],
      );
    const runs: Array<{ campaign_id: string; id: string; occurrence_at: Date; state: string }> =
      await this.dataSource.query(
        `SELECT DISTINCT ON (campaign_id) campaign_id, id, occurrence_at, state FROM campaign_runs WHERE campaign_id = ANY($1::uuid[]) ORDER BY campaign_id, occurrence_at DESC`,
        [ids],
      );
    return campaigns.map((campaign) => {
      const run = runs.find((candidate) => candidate.campaign_id === campaign.id);
      const latestRun: RunSummary | null = run
        ? { id: run.id, occurrenceAt: run.occurrence_at, state: run.state }
        : null;
      return CampaignResponse.of(
        campaign,
        RecipientCounts.fromStates(counts.filter((row) => row.campaign_id === campaign.id)),
        latestRun,
      );
    });
  }

  /** Copies given fields onto the campaign and checks the result as a whole (errors name the field and the fix). */
  private async applyInput(campaign: Campaign, input: UpdateCampaignDto): Promise<void> {
    if (input.text !== undefined && input.templateId !== undefined) {
      throw new InvalidInputError('text', 'give exactly one of text and templateId, not both');
    }
    if (input.name !== undefined) campaign.name = input.name.trim();
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

  private async validate(campaign: Campaign): Promise<void> {
    if (!campaign.text && !campaign.templateId)
      throw new InvalidInputError(
        'text',
        'give exactly one of text (the message) and templateId (a Chat2Desk template)',
      );
    if (campaign.text) assertPlaceholdersClosed(campaign.text);
    if (campaign.templateId) await this.templates.get(campaign.templateId);
    await this.assertListExists(campaign.listId);
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
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM contact_lists WHERE id = $1`, [
      listId,
    ]);
    if (rows.length === 0)
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
const EDITABLE_FIELDS = [
  'name',
  'listId',
  'contactFilter',
  'text',
  'templateId',
  'transport',
  'channelId',
  'scheduledAt',
  'timezone',
  'cron',
  'sendWindow',
  'expiresAfterMinutes',
  'frequencyCapHours',
  'allowPartial',
] as const satisfies ReadonlyArray<keyof Campaign>;

function pickEditable(campaign: Campaign): Partial<Campaign> {
  return Object.fromEntries(EDITABLE_FIELDS.map((field) => [field, campaign[field]])) as Partial<Campaign>;
}
