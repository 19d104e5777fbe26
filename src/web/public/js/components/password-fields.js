import { h } from '../dom.js';
import { t } from '../i18n.js';

/** The API's own minimum (src/auth/passwords.ts); checked here first to say so before a round trip. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * A new password typed twice. `problem()` is the sentence to show when it is too short or the two
 * differ (undefined when fine); `value()` the password.
 */
export function passwordFields(id) {
  const hintId = `${id}-hint`;
  const password = h('input', {
    id,
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    'aria-describedby': hintId,
  });
  const repeat = h('input', {
    id: `${id}-repeat`,
    type: 'password',
    autocomplete: 'new-password',
    required: true,
  });
  const element = h(
    'div',
    { class: 'form-row password-row' },
    h(
      'div',
      { class: 'field grow' },
      h('label', { for: id }, t('password.new')),
      password,
      h('p', { class: 'hint', id: hintId }, t('password.hint', { min: MIN_PASSWORD_LENGTH })),
    ),
    h('div', { class: 'field grow' }, h('label', { for: repeat.id }, t('password.repeat')), repeat),
  );
  return {
    element,
    value: () => password.value,
    problem: () => {
      if (password.value.length < MIN_PASSWORD_LENGTH)
        return t('password.tooShort', { min: MIN_PASSWORD_LENGTH });
      if (password.value !== repeat.value) return t('password.mismatch');
      return undefined;
    },
    focus: () => password.focus(),
  };
}
