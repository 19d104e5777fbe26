import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../common/clock/clock';
import { WAITING_TO_SEND_STATES } from '../../common/domain';
import { Campaign } from '../entities/campaign.entity';
import { nextWindowOpeningSql } from '../scheduling/send-window';
import { SqlParams } from '../templates/template-sql';
import { TemplatesService } from '../templates/templates.service';
import { recipientSourceSql, recipientSpecOf } from './recipient-source';

export interface PreparedRun {
  runId: string;
  recipients: number;
}

/** Creates runs with their recipients, and moves recipients outside the send window. */
@Injectable()
export class RunPreparationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly templates: TemplatesService,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates the run of `occurrenceAt` and one recipient per contact, in one transaction and one
   * INSERT … SELECT (the list never passes through memory). Returns null when the run exists
   * already: UNIQUE (campaign_id, occurrence_at) makes a second tick, here or on another instance,
   * wait for the first and then do nothing.
   */
  async prepareRun(campaign: Campaign, occurrenceAt: Date): Promise<PreparedRun | null> {
    return this.dataSource.transaction(async (manager) => {
      const messageText = await this.templates.messageTextOf(campaign, manager);
      const created: Array<{ id: string }> = await manager.query(
        `INSERT INTO campaign_runs (campaign_id, occurrence_at, message_text, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (campaign_id, occurrence_at) DO NOTHING RETURNING id`,
        [campaign.id, occurrenceAt, messageText, this.clock.now()],
      );
      if (created.length === 0) return null;
      const runId = created[0].id;
      const recipients = await this.insertRecipients(manager, campaign, runId, messageText);
      return { runId, recipients };
    });
  }

  /**
   * Gives recipients of a run that would be sent outside the campaign's send window
   * next_attempt_at = the window's next opening (in the recipient's timezone, from the phone's
   * country, or the campaign's). Rows already deferred to the future are left alone.
   */
  async deferOutsideSendWindow(
    campaign: Campaign,
    runId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    if (!campaign.sendWindow) return 0;
    const params = new SqlParams();
    const now = params.add(this.clock.now());
    const opening = nextWindowOpeningSql(campaign.sendWindow, campaign.timezone, now, params);
    const deferred: Array<{ count: string }> = await manager.query(
      `WITH deferred AS (
         UPDATE campaign_recipients r SET next_attempt_at = w.opening, updated_at = ${now}
         FROM (SELECT r.id, ${opening} AS opening FROM campaign_recipients r
               WHERE r.run_id = ${params.add(runId)}::uuid AND r.state = ANY(${params.add(WAITING_TO_SEND_STATES)}::text[])
                 AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= ${now})) w
         WHERE r.id = w.id AND w.opening IS NOT NULL
         RETURNING 1)
       SELECT count(*)::text AS count FROM deferred`,
      params.values,
    );
    return Number(deferred[0].count);
  }

  private async insertRecipients(
    manager: EntityManager,
    campaign: Campaign,
    runId: string,
    messageText: string,
  ): Promise<number> {
    const params = new SqlParams();
    const source = recipientSourceSql(await recipientSpecOf(manager, campaign, messageText), params);
    const now = params.add(this.clock.now());
    const inserted: Array<{ count: string }> = await manager.query(
      `WITH inserted AS (
         INSERT INTO campaign_recipients (run_id, campaign_id, contact_id, phone, name, country, text, state, reason, created_at, updated_at)
         SELECT ${params.add(runId)}::uuid, ${params.add(campaign.id)}::uuid, src.contact_id, src.phone, src.name, src.country, src.text,
                CASE WHEN src.skip_reason IS NULL THEN 'pending' ELSE 'skipped' END, src.skip_reason, ${now}, ${now}
         FROM (${source}) src
         ON CONFLICT (run_id, phone) DO NOTHING
         RETURNING 1)
       SELECT count(*)::text AS count FROM inserted`,
      params.values,
    );
    return Number(inserted[0].count);
  }
}
