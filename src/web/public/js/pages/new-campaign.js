import { api } from '../api.js';
import { errorBox, withBusyButton } from '../components/feedback.js';
import { templateText } from '../components/template-text.js';
import { h, replaceChildren } from '../dom.js';
import { plural, t } from '../i18n.js';

const TRANSPORTS = ['whatsapp', 'viber', 'telegram', 'sms'];

/**
 * The campaign form. It saves a draft; the draft's page then shows the server's preview for real
 * recipients, the missing-variable warnings and the quota forecast before anything is sent.
 */
export function renderNewCampaignPage(main, { navigate }) {
  document.title = t('newCampaign.title');
  const fields = {
    name: h('input', { id: 'campaign-name', required: true, maxlength: 200 }),
    listId: h('select', { id: 'campaign-list', required: true }),
    transport: h(
      'select',
      { id: 'campaign-transport' },
      TRANSPORTS.map((transport) => h('option', { value: transport }, t(`transport.${transport}`))),
    ),
    channelId: h('input', {
      id: 'campaign-channel',
      type: 'number',
      min: 1,
      step: 1,
      required: true,
      inputmode: 'numeric',
      list: 'campaign-channel-options',
    }),
    text: h('textarea', { id: 'campaign-text', rows: 5, placeholder: t('newCampaign.textPlaceholder') }),
    templateId: h('select', { id: 'campaign-template' }),
    scheduledAt: h('input', { id: 'campaign-scheduled-at', type: 'datetime-local' }),
    timezone: h('input', {
      id: 'campaign-timezone',
      value: Intl.DateTimeFormat().resolvedOptions().timeZone,
      autocomplete: 'off',
    }),
    cron: h('input', {
      id: 'campaign-cron',
      placeholder: '0 10 * * 1',
      autocomplete: 'off',
      spellcheck: 'false',
    }),
    windowStart: h('input', { id: 'campaign-window-start', type: 'time' }),
    windowEnd: h('input', { id: 'campaign-window-end', type: 'time' }),
    windowTimezone: h(
      'select',
      { id: 'campaign-window-timezone' },
      ['recipient', 'campaign'].map((zone) =>
        h('option', { value: zone }, t(`newCampaign.windowZone.${zone}`)),
      ),
    ),
    expiresAfterMinutes: h('input', { id: 'campaign-expires', type: 'number', min: 1, step: 1 }),
    frequencyCapHours: h('input', {
      id: 'campaign-frequency-cap',
      type: 'number',
      min: 0,
      max: 8760,
      step: 1,
    }),
  };
  const messageKind = {
    text: radio('message-kind', 'text', true),
    template: radio('message-kind', 'template', false),
  };
  const channelOptions = h('datalist', { id: 'campaign-channel-options' });
  const messagePreview = h('div', { class: 'template-preview', 'aria-live': 'polite' });
  const textBlock = h(
    'div',
    { class: 'field' },
    label(fields.text, 'newCampaign.text'),
    fields.text,
    h('p', { class: 'hint' }, t('newCampaign.variablesHint')),
  );
  const templateBlock = h(
    'div',
    { class: 'field', hidden: true },
    label(fields.templateId, 'newCampaign.template'),
    fields.templateId,
  );
  const loadErrors = h('div');
  const submitError = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, t('newCampaign.submit'));
  let templates = [];

  const showMessagePreview = () => {
    const usesTemplate = messageKind.template.checked;
    textBlock.hidden = usesTemplate;
    templateBlock.hidden = !usesTemplate;
    fields.text.required = !usesTemplate;
    const text = usesTemplate
      ? templates.find((template) => String(template.id) === fields.templateId.value)?.text
      : fields.text.value;
    replaceChildren(messagePreview, text ? templateText(text) : '');
  };
  [messageKind.text, messageKind.template, fields.templateId].forEach((input) =>
    input.addEventListener('change', showMessagePreview),
  );
  fields.text.addEventListener('input', showMessagePreview);

  const form = h(
    'form',
    {
      class: 'card campaign-form',
      onsubmit: async (event) => {
        event.preventDefault();
        const campaign = await withBusyButton(submit, submitError, () =>
          api.post('/api/campaigns', campaignBody(fields, messageKind.template.checked)),
        );
        if (campaign) navigate(`/campaigns/${campaign.id}`);
      },
    },
    loadErrors,
    h('div', { class: 'field' }, label(fields.name, 'newCampaign.name'), fields.name),
    h(
      'div',
      { class: 'form-row' },
      h('div', { class: 'field grow' }, label(fields.listId, 'newCampaign.list'), fields.listId),
      h('div', { class: 'field' }, label(fields.transport, 'newCampaign.transport'), fields.transport),
      h(
        'div',
        { class: 'field' },
        label(fields.channelId, 'newCampaign.channel'),
        fields.channelId,
        channelOptions,
      ),
    ),
    h('p', { class: 'hint' }, t('newCampaign.channelHint')),
    h(
      'fieldset',
      {},
      h('legend', {}, t('newCampaign.message')),
      h(
        'div',
        { class: 'radio-row' },
        h('label', {}, messageKind.text, t('newCampaign.ownText')),
        h('label', {}, messageKind.template, t('newCampaign.chat2deskTemplate')),
      ),
      textBlock,
      templateBlock,
      messagePreview,
    ),
    h(
      'details',
      {},
      h('summary', {}, t('newCampaign.scheduleAndLimits')),
      h(
        'div',
        { class: 'form-row' },
        h(
          'div',
          { class: 'field' },
          label(fields.scheduledAt, 'newCampaign.scheduledAt'),
          fields.scheduledAt,
        ),
        h('div', { class: 'field' }, label(fields.timezone, 'newCampaign.timezone'), fields.timezone),
        h('div', { class: 'field' }, label(fields.cron, 'newCampaign.cron'), fields.cron),
      ),
      h(
        'div',
        { class: 'form-row' },
        h(
          'div',
          { class: 'field' },
          label(fields.windowStart, 'newCampaign.windowStart'),
          fields.windowStart,
        ),
        h('div', { class: 'field' }, label(fields.windowEnd, 'newCampaign.windowEnd'), fields.windowEnd),
        h(
          'div',
          { class: 'field' },
          label(fields.windowTimezone, 'newCampaign.windowTimezone'),
          fields.windowTimezone,
        ),
        h(
          'div',
          { class: 'field' },
          label(fields.expiresAfterMinutes, 'newCampaign.expiresAfterMinutes'),
          fields.expiresAfterMinutes,
        ),
        h(
          'div',
          { class: 'field' },
          label(fields.frequencyCapHours, 'newCampaign.frequencyCapHours'),
          fields.frequencyCapHours,
        ),
      ),
      h('p', { class: 'hint' }, t('newCampaign.scheduleHint')),
    ),
    submitError,
    h(
      'div',
      { class: 'form-actions' },
      h('a', { class: 'button ghost', href: '#/campaigns' }, t('common.cancel')),
      submit,
    ),
  );
  main.append(
    h(
      'div',
      { class: 'page-header' },
      h('a', { href: '#/campaigns', class: 'back' }, `← ${t('campaigns.title')}`),
      h('h1', {}, t('newCampaign.title')),
    ),
    form,
  );

  const fail = (error) => loadErrors.append(errorBox(error));
  api
    .get('/api/lists')
    .then(
      (lists) =>
        fillOptions(fields.listId, lists, (list) =>
          plural('newCampaign.listOption', list.contacts ?? 0, { name: list.name }),
        ),
      fail,
    );
  // Suggestions only: without them (Chat2Desk unreachable) the id can still be typed.
  api.get('/api/channels').then(
    (channels) =>
      replaceChildren(
        channelOptions,
        channels.map((channel) =>
          h('option', { value: channel.id }, `${channel.name} · ${channel.transports.join(', ')}`),
        ),
      ),
    () => undefined,
  );
  loadTemplates().then((loaded) => {
    templates = loaded;
    fillOptions(fields.templateId, templates, (template) => template.name);
    showMessagePreview();
  }, fail);
}

function campaignBody(fields, usesTemplate) {
  const value = (input) => input.value.trim() || undefined;
  const body = {
    name: value(fields.name),
    listId: fields.listId.value,
    transport: fields.transport.value,
    channelId: Number(fields.channelId.value),
    ...(usesTemplate ? { templateId: Number(fields.templateId.value) } : { text: fields.text.value }),
    scheduledAt: value(fields.scheduledAt),
    timezone: value(fields.timezone),
    cron: value(fields.cron),
    expiresAfterMinutes: fields.expiresAfterMinutes.value
      ? Number(fields.expiresAfterMinutes.value)
      : undefined,
    frequencyCapHours: fields.frequencyCapHours.value ? Number(fields.frequencyCapHours.value) : undefined,
  };
  if (fields.windowStart.value && fields.windowEnd.value) {
    body.sendWindow = {
      start: fields.windowStart.value,
      end: fields.windowEnd.value,
      timezone: fields.windowTimezone.value,
    };
  }
  return body;
}

/** The local copy of the Chat2Desk templates; synced from Chat2Desk the first time it is empty. */
async function loadTemplates() {
  const local = await api.get('/api/templates');
  return local.length ? local : api.get('/api/templates?refresh=true');
}

function fillOptions(select, items, describe) {
  replaceChildren(
    select,
    items.map((item) => h('option', { value: item.id }, describe(item))),
  );
}

function radio(name, value, checked) {
  return h('input', { type: 'radio', name, value, checked });
}

function label(input, key) {
  return h('label', { for: input.id }, t(key));
}
