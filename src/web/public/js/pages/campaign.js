import { api } from '../api.js';
import { campaignActionsBar } from '../components/campaign-actions-bar.js';
import { campaignReport } from '../components/campaign-report.js';
import { LIVE_STATES, stateBadge } from '../components/campaign-state.js';
import { errorBox } from '../components/feedback.js';
import { launchChecks } from '../components/launch-checks.js';
import { campaignProgressBar, progressLegend } from '../components/progress.js';
import { statsGrid } from '../components/stats.js';
import { h, poll, replaceChildren } from '../dom.js';
import { formatDateTime, formatNumber, t } from '../i18n.js';
import { hasRole } from '../session.js';

const REFRESH_MS = 2000;
const COUNT_NAMES = [
  'total',
  'pending',
  'waiting',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'unknown',
  'skipped',
  'expired',
];
const BEFORE_LAUNCH = ['draft', 'scheduled'];

/**
 * One campaign: state and actions, live progress; before launch the preview, missing variables,
 * quota forecast and a test send; once it has run, the report. Refreshes while the campaign moves.
 * A viewer sees it all without the actions and the test send.
 */
export function renderCampaignPage(main, { params: [campaignId] }) {
  const base = `/api/campaigns/${campaignId}`;
  const header = h('div', { class: 'page-header' });
  const progress = h('section', { class: 'card', 'aria-labelledby': 'progress-heading' });
  const checks = h('div');
  const report = campaignReport(base);
  const actions = hasRole('manager') ? campaignActionsBar(base, () => restart()) : undefined;
  main.append(...[header, actions?.element, progress, checks, report.element].filter(Boolean));

  let stop = () => {};
  let checksShownFor;

  const refresh = async () => {
    let campaign;
    try {
      campaign = await api.get(base);
    } catch (error) {
      replaceChildren(header, backLink(), errorBox(error));
      stop();
      return;
    }
    document.title = campaign.name;
    renderHeader(header, campaign);
    actions?.update(campaign);
    // A draft has no recipients yet: they are taken from the list when a run starts.
    progress.hidden = campaign.state === 'draft';
    renderProgress(progress, campaign.counts);
    if (!BEFORE_LAUNCH.includes(campaign.state)) checks.replaceChildren();
    else if (checksShownFor !== campaign.state) replaceChildren(checks, await launchChecks(base, campaign));
    checksShownFor = campaign.state;
    if (campaign.state !== 'draft') await report.update();
    if (!LIVE_STATES.includes(campaign.state)) stop();
  };
  const restart = () => {
    stop();
    stop = poll(refresh, REFRESH_MS);
  };
  restart();
  return () => stop();
}

function backLink() {
  return h('a', { href: '#/campaigns', class: 'back' }, `← ${t('campaigns.title')}`);
}

function renderHeader(header, campaign) {
  const facts = [
    t(`transport.${campaign.transport}`),
    t('campaign.channel', { id: campaign.channelId }),
    campaign.scheduledAt &&
      t('campaign.scheduledFor', { at: formatDateTime(campaign.scheduledAt), timezone: campaign.timezone }),
    campaign.cron && t('campaign.repeats', { cron: campaign.cron }),
    campaign.sendWindow && t('campaign.window', campaign.sendWindow),
  ];
  replaceChildren(
    header,
    backLink(),
    h('h1', {}, campaign.name, ' ', stateBadge(campaign)),
    h('p', { class: 'muted meta' }, facts.filter(Boolean).join(' · ')),
  );
}

function renderProgress(section, counts) {
  replaceChildren(
    section,
    h('h2', { id: 'progress-heading' }, t('campaign.progress')),
    campaignProgressBar(counts, t('campaign.progress')),
    progressLegend(),
    statsGrid(
      COUNT_NAMES.map((name) => ({ label: t(`count.${name}`), value: formatNumber(counts[name]), name })),
    ),
  );
}
