import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { Database } from '../../database/database';
import type { Sql } from '../../database/sql';
import { CampaignRecipientsStore } from '../../recipients/campaign-recipients.store';
import { RunStore } from '../../recipients/run.store';
import type { Campaign } from '../campaign.types';
import { recipientSendWindow } from '../scheduling/send-window';
import { TemplatesService } from '../templates/templates.service';
import { recipientSourceSql } from './recipient-source';
import { RecipientSourceStore } from './recipient-source.store';

export interface PreparedRun {
  runId: string;
  recipients: number;
}

/** Creates runs with their recipients, and moves recipients outside the send window. */
@Injectable()
export class RunPreparationService {
  constructor(
    private readonly database: Database,
    private readonly runs: RunStore,
    private readonly recipients: CampaignRecipientsStore,
    private readonly sources: RecipientSourceStore,
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
    return this.database.transaction(async (sql) => {
      const messageText = await this.templates.messageTextOf(campaign, sql);
      const runId = await this.runs.create(campaign.id, occurrenceAt, messageText, this.clock.now(), sql);
      if (runId === null) return null;
      const spec = await this.sources.specOf(campaign, messageText, sql);
      const recipients = await this.recipients.insertFromSource(
        runId,
        campaign.id,
        (params) => recipientSourceSql(spec, params),
        this.clock.now(),
        sql,
      );
      return { runId, recipients };
    });
  }

  /**
   * Gives recipients of a run that would be sent outside the campaign's send window
   * next_attempt_at = the window's next opening (in the recipient's timezone, from the phone's
   * country, or the campaign's). Rows already deferred to the future are left alone.
   */
  async deferOutsideSendWindow(campaign: Campaign, runId: string, sql?: Sql): Promise<number> {
    if (!campaign.sendWindow) return 0;
    return this.recipients.deferOutsideWindow(
      runId,
      recipientSendWindow(campaign.sendWindow, campaign.timezone),
      this.clock.now(),
      sql,
    );
  }
}
