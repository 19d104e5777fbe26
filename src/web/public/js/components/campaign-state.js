import { h } from '../dom.js';
import { t } from '../i18n.js';

/** What a person may do in each state; mirrors CAMPAIGN_TRANSITIONS (src/campaigns/campaign-transitions.ts). */
export const CAMPAIGN_ACTIONS = [
  { name: 'schedule', allowedFrom: ['draft'], usesQuota: true },
  { name: 'start', allowedFrom: ['draft', 'scheduled'], usesQuota: true },
  { name: 'pause', allowedFrom: ['running'] },
  { name: 'resume', allowedFrom: ['paused'] },
  { name: 'cancel', allowedFrom: ['draft', 'scheduled', 'running', 'paused'], confirm: true },
  { name: 'retry-failed', allowedFrom: ['running', 'completed', 'failed'], needsFailed: true },
];

/** States in which a campaign still changes by itself, so its page keeps refreshing. */
export const LIVE_STATES = ['scheduled', 'running', 'paused'];

export function isActionAllowed(action, campaign) {
  return action.allowedFrom.includes(campaign.state) && (!action.needsFailed || campaign.counts.failed > 0);
}

export function stateBadge(campaign) {
  const reason =
    campaign.stateReason && campaign.stateReason !== 'user'
      ? ` · ${t(`reason.${campaign.stateReason}`)}`
      : '';
  return h('span', { class: `badge badge-${campaign.state}` }, `${t(`state.${campaign.state}`)}${reason}`);
}
