import { api, query } from '../api.js';
import { errorBox, noticeBox, withBusyButton } from './feedback.js';
import { keyValueTable } from './stats.js';
import { templateText } from './template-text.js';
import { h } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { hasRole } from '../session.js';

const PREVIEW_SIZE = 5;
const FORECAST_ROWS = ['recipients', 'knownClients', 'creations', 'lookups', 'sends', 'statusPolls', 'total'];

/**
 * What to check before launch: the text for real recipients, who would be skipped, the quota
 * forecast, and (managers and up) a test send.
 */
export async function launchChecks(base, campaign) {
  const [preview, forecast] = await Promise.allSettled([
    api.get(`${base}/preview${query({ limit: PREVIEW_SIZE })}`),
    api.get(`${base}/forecast`),
  ]);
  return [
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'preview-heading' },
      h('h2', { id: 'preview-heading' }, t('campaign.preview')),
      campaign.text && templateText(campaign.text),
      preview.status === 'fulfilled' ? previewView(preview.value) : errorBox(preview.reason),
      hasRole('manager') && testSendForm(base),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'forecast-heading' },
      h('h2', { id: 'forecast-heading' }, t('campaign.forecast')),
      forecast.status === 'fulfilled' ? forecastView(forecast.value) : errorBox(forecast.reason),
    ),
  ];
}

function previewView(preview) {
  const missing = preview.missingVariables;
  return [
    missing.count > 0 &&
      h(
        'div',
        { class: 'alert alert-warning', role: 'status' },
        h('p', {}, t('preview.missing', { count: formatNumber(missing.count) })),
        h(
          'ul',
          {},
          missing.examples.map((example) =>
            h(
              'li',
              {},
              h('span', { class: 'mono' }, `+${example.phone}`),
              example.name && ` ${example.name}`,
              ` — ${example.skipReason}`,
            ),
          ),
        ),
      ),
    preview.items.length === 0 && h('p', { class: 'muted' }, t('preview.noRecipients')),
    h(
      'ul',
      { class: 'preview-list' },
      preview.items.map((item) =>
        h(
          'li',
          {},
          h(
            'div',
            { class: 'preview-recipient' },
            h('span', { class: 'mono' }, `+${item.phone}`),
            item.name && ` · ${item.name}`,
          ),
          item.text
            ? h('p', { class: 'message-text' }, item.text)
            : h('p', { class: 'alert alert-warning' }, t('preview.skipped', { reason: item.skipReason })),
        ),
      ),
    ),
  ];
}

/** Sends the message, rendered for the list's contact with that phone (or defaults), to one phone now. */
function testSendForm(base) {
  const phone = h('input', { id: 'test-send-phone', type: 'tel', autocomplete: 'off', required: true });
  const submit = h('button', { type: 'submit' }, t('testSend.submit'));
  const result = h('div', { 'aria-live': 'polite' });
  return h(
    'form',
    {
      class: 'inline-form test-send',
      onsubmit: async (event) => {
        event.preventDefault();
        const sent = await withBusyButton(submit, result, () =>
          api.post(`${base}/test-send`, { phone: phone.value.replace(/[\s()-]/g, '') }),
        );
        if (sent)
          result.replaceChildren(
            noticeBox(t('testSend.sent', { phone: sent.phone, text: sent.text }), 'success'),
          );
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'test-send-phone' }, t('testSend.phone')), phone),
    submit,
    result,
  );
}

function forecastView(forecast) {
  const left = forecast.quota.remaining;
  const summary =
    left === null
      ? t('forecast.unlimited', { needed: formatNumber(forecast.total) })
      : t(forecast.fits ? 'forecast.fits' : 'forecast.exceeds', {
          needed: formatNumber(forecast.total),
          left: formatNumber(left),
        });
  return [
    noticeBox(summary, forecast.fits ? 'success' : 'warning'),
    keyValueTable(FORECAST_ROWS.map((name) => [t(`forecast.${name}`), forecast[name]])),
  ];
}
