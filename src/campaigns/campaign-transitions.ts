import { InvalidTransitionError } from '../common/errors/domain-error';
import type { CampaignState } from '../common/domain';

/**
 * Every campaign state change, by action: the states it may start from and the state it leads to.
 * Anything not in this table is refused with 409. Actions of people (schedule … retry-failed) and of
 * the service itself (begin-run, finish-run, fail…) go through the same table.
 */
export const CAMPAIGN_TRANSITIONS = {
  schedule: { from: ['draft'], to: 'scheduled' },
  /** Run now: a draft or a scheduled campaign gets scheduledAt = now; the scheduler takes it from there. */
  start: { from: ['draft', 'scheduled'], to: 'scheduled' },
  /** The scheduler: an occurrence's time has come. */
  'begin-run': { from: ['scheduled'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  /**
   * Paused, or failed for a reason a person can fix (RESUMABLE_FAILURE_REASONS), with a run in progress.
   * Without one (a recurring campaign whose occurrence ended while paused) it is `resume-next-run`.
   */
  resume: { from: ['paused', 'failed'], to: 'running' },
  /** resume when no run is in progress: wait for the (next) occurrence. */
  'resume-next-run': { from: ['paused', 'failed'], to: 'scheduled' },
  /** A failed campaign may be cancelled too: its unsent recipients are then skipped, none is left behind. */
  cancel: { from: ['draft', 'scheduled', 'running', 'paused', 'failed'], to: 'cancelled' },
  /** The scheduler: the last run has nothing left to send (one-off campaigns). */
  complete: { from: ['running', 'paused'], to: 'completed' },
  /** The scheduler: a recurring campaign's run finished; wait for the next occurrence. */
  'await-next-run': { from: ['running', 'paused'], to: 'scheduled' },
  /** The service: credentials revoked, expired before it could start, … (always with a reason). */
  fail: { from: ['scheduled', 'running', 'paused'], to: 'failed' },
  /** Failed recipients of the latest run get another attempt (scheduled: a recurring campaign between runs). */
  'retry-failed': { from: ['running', 'scheduled', 'completed', 'failed'], to: 'running' },
} as const satisfies Record<string, { from: readonly CampaignState[]; to: CampaignState }>;

export type CampaignAction = keyof typeof CAMPAIGN_TRANSITIONS;

/** Actions a person triggers (the API's POST /api/campaigns/:id/<action>); the rest belong to the service. */
export const USER_ACTIONS = [
  'schedule',
  'start',
  'pause',
  'resume',
  'cancel',
  'retry-failed',
] as const satisfies readonly CampaignAction[];
export type UserAction = (typeof USER_ACTIONS)[number];

/**
 * `failed` reasons a person can fix and then resume from (the token, after Chat2Desk rejected it).
 * Other failures (expired, template gone) can only be cancelled or deleted.
 */
export const RESUMABLE_FAILURE_REASONS: readonly string[] = ['credentials'];

export function isResumableFailure(state: CampaignState, reason: string | null): boolean {
  return state === 'failed' && reason !== null && RESUMABLE_FAILURE_REASONS.includes(reason);
}

/**
 * What a person may do to a campaign in this state (and, for `failed`, with this reason), so clients
 * need no copy of the table.
 */
export function userActionsFrom(state: CampaignState, reason: string | null = null): UserAction[] {
  return USER_ACTIONS.filter(
    (action) =>
      (allowedFrom(action) as readonly string[]).includes(state) &&
      !(action === 'resume' && state === 'failed' && !isResumableFailure(state, reason)),
  );
}

/** Campaigns in these states may be deleted; the others have work in flight. */
export const DELETABLE_CAMPAIGN_STATES: readonly CampaignState[] = [
  'draft',
  'completed',
  'cancelled',
  'failed',
];

export function allowedFrom(action: CampaignAction): readonly CampaignState[] {
  return CAMPAIGN_TRANSITIONS[action].from;
}

export function targetState(action: CampaignAction): CampaignState {
  return CAMPAIGN_TRANSITIONS[action].to;
}

export function assertTransition(action: CampaignAction, from: CampaignState): void {
  if (!(allowedFrom(action) as readonly string[]).includes(from)) {
    throw new InvalidTransitionError('Campaign', from, action, allowedFrom(action));
  }
}
