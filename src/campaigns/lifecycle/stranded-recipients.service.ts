import { Injectable } from '@nestjs/common';
import { CampaignRecipientsStore, StrandedRow } from '../../recipients/campaign-recipients.store';
import { RESUMABLE_FAILURE_REASONS } from '../campaign-transitions';

/** Recipients of one run, in one state, that no actor will move. */
export interface StrandedGroup extends StrandedRow {
  /** Why nothing will move them, for the operator. */
  problem: string;
}

export interface StrandedReport {
  /** Stranded recipients in all. 0 = every unsent recipient belongs to a run something will move. */
  total: number;
  groups: StrandedGroup[];
}

/**
 * The consistency check (invariant 11): recipients waiting to be sent (pending, waiting_ready,
 * ready) whose campaign and run no actor will move — a campaign failed for a reason a person can
 * fix and resume from (RESUMABLE_FAILURE_REASONS) still counts as moving. Read-only; run by the
 * `doctor` command, the periodic job (metric `recipients_stranded`) and tests.
 */
@Injectable()
export class StrandedRecipientsService {
  constructor(private readonly recipients: CampaignRecipientsStore) {}

  async find(): Promise<StrandedReport> {
    const groups = (await this.recipients.stranded(RESUMABLE_FAILURE_REASONS)).map(toGroup);
    return { total: groups.reduce((sum, group) => sum + group.count, 0), groups };
  }
}

function toGroup(row: StrandedRow): StrandedGroup {
  return {
    ...row,
    problem: `run ${row.runState}, campaign ${row.campaignState}${row.campaignStateReason ? ` (${row.campaignStateReason})` : ''}: nothing will send or settle these recipients`,
  };
}
