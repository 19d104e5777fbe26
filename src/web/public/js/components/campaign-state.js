import { h } from '../dom.js';
import { t } from '../i18n.js';

/** The campaign actions a person can take; which are allowed comes from the API (campaign.allowedActions). */
export const CAMPAIGN_ACTIONS = [
  { name: 'schedule', usesQuota: true },
  { name: 'start', usesQuota: true },
  { name: 'pause' },
  { name: 'resume' },
  { name: 'cancel', confirm: true },
  { name: 'retry-failed', needsFailed: true },
];

/** States in which a campaign still changes by itself, so its page keeps refreshing. */
export const LIVE_STATES = ['scheduled', 'running', 'paused'];

export function isActionAllowed(action, campaign) {
  return campaign.allowedActions.includes(action.name) && (!action.needsFailed || campaign.counts.failed > 0);
}

export function stateBadge(campaign) {
  const reason =
    campaign.stateReason && campaign.stateReason !== 'user'
      ? ` · ${t(`reason.${campaign.stateReason}`)}`
      : '';
  return h('span', { class: `badge badge-${campaign.state}` }, `${t(`state.${campaign.state}`)}${reason}`);
}
