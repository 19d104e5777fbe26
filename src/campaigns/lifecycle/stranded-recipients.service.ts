import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { WAITING_TO_SEND_STATES } from '../../common/domain';
import { RESUMABLE_FAILURE_REASONS } from '../campaign-transitions';

/** Recipients of one run, in one state, that no actor will move. */
export interface StrandedGroup {
  campaignId: string;
  campaignName: string;
  campaignState: string;
  campaignStateReason: string | null;
  runId: string;
  runState: string;
  recipientState: string;
  count: number;
  /** Why nothing will move them, for the operator. */
  problem: string;
}

export interface StrandedReport {
  /** Stranded recipients in all. 0 = every unsent recipient belongs to a run something will move. */
  total: number;
  groups: StrandedGroup[];
}

/**
 * Which (run, campaign) pairs something still moves (DESIGN invariant 11):
 * - a running run of a running or paused campaign (the dispatcher; a person or the quota check resumes),
 *   or of one failed for a reason a person can fix and resume from (RESUMABLE_FAILURE_REASONS);
 * - a preparing run of a scheduled campaign (the scheduler starts it), or of a resumable failed one.
 * Everything else — a completed, expired or cancelled run, a finished campaign — moves nobody.
 */
const MOVABLE = `(
  (u.state = 'running' AND (c.state IN ('running', 'paused') OR (c.state = 'failed' AND c.state_reason = ANY($2::text[]))))
  OR (u.state = 'preparing' AND (c.state = 'scheduled' OR (c.state = 'failed' AND c.state_reason = ANY($2::text[]))))
)`;

interface StrandedRow {
  campaign_id: string;
  campaign_name: string;
  campaign_state: string;
  campaign_state_reason: string | null;
  run_id: string;
  run_state: string;
  recipient_state: string;
  count: number;
}

/**
 * The consistency check: recipients waiting to be sent (pending, waiting_ready, ready) whose campaign
 * and run no actor will move. `sending` rows are not listed: the lease sweeper always settles them.
 * Read-only; run by the `doctor` command, the periodic job (metric `recipients_stranded`) and tests.
 */
@Injectable()
export class StrandedRecipientsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(manager: EntityManager = this.dataSource.manager): Promise<StrandedReport> {
    // Runs first (few), then their waiting recipients through the (run_id, state) index: the cost
    // does not grow with the recipients of runs that are fine.
    const rows: StrandedRow[] = await manager.query(
      `WITH unmovable AS (
         SELECT u.id, u.state AS run_state, c.id AS campaign_id, c.name, c.state, c.state_reason
         FROM campaign_runs u JOIN campaigns c ON c.id = u.campaign_id
         WHERE NOT ${MOVABLE}),
       stranded AS (
         SELECT m.campaign_id, m.name AS campaign_name, m.state AS campaign_state, m.state_reason AS campaign_state_reason,
                m.id AS run_id, m.run_state, r.state AS recipient_state
         FROM unmovable m JOIN campaign_recipients r ON r.run_id = m.id AND r.state = ANY($1::text[]))
       SELECT campaign_id, campaign_name, campaign_state, campaign_state_reason, run_id::text, run_state, recipient_state,
              count(*)::int AS count
       FROM stranded
       GROUP BY campaign_id, campaign_name, campaign_state, campaign_state_reason, run_id, run_state, recipient_state
       ORDER BY count(*) DESC, campaign_id, run_id, recipient_state`,
      [WAITING_TO_SEND_STATES, RESUMABLE_FAILURE_REASONS],
    );
    const groups = rows.map(toGroup);
    return { total: groups.reduce((sum, group) => sum + group.count, 0), groups };
  }
}

function toGroup(row: StrandedRow): StrandedGroup {
  return {
    campaignId: row.campaign_id,
    campaignName: row.campaign_name,
    campaignState: row.campaign_state,
    campaignStateReason: row.campaign_state_reason,
    runId: row.run_id,
    runState: row.run_state,
    recipientState: row.recipient_state,
    count: Number(row.count),
    problem: `run ${row.run_state}, campaign ${row.campaign_state}${row.campaign_state_reason ? ` (${row.campaign_state_reason})` : ''}: nothing will send or settle these recipients`,
  };
}
