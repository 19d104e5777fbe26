import { h } from '../dom.js';
import { hasText, roleName, t } from '../i18n.js';

/** An inline error: a failed call (its text is the API's own `message`) or a sentence. */
export function errorBox(error) {
  return h('div', { class: 'alert alert-error', role: 'alert' }, errorText(error));
}

/**
 * What went wrong, in the reader's language when the API's error code has a text (`error.<code>`,
 * e.g. role_forbidden, last_admin); otherwise the API's own `message`.
 */
export function errorText(error) {
  if (typeof error === 'string') return error;
  if (error.code && hasText(`error.${error.code}`)) {
    const { required, role, ...details } = error.details ?? {};
    return t(`error.${error.code}`, {
      ...details,
      ...(required ? { required: roleName(required) } : {}),
      ...(role ? { role: roleName(role) } : {}),
    });
  }
  return error.message;
}

export function noticeBox(text, tone = 'info') {
  return h('div', { class: `alert alert-${tone}`, role: 'status' }, text);
}

let toastTimer;

/** A short confirmation that fades by itself, e.g. "Campaign paused". */
export function showToast(text) {
  const toast = document.getElementById('toast');
  toast.textContent = text;
  toast.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = setTimeout(hideToast, 3500);
}

export function hideToast() {
  document.getElementById('toast').hidden = true;
}

/** Runs an action for a button: disables it while busy and reports the failure next to it. */
export async function withBusyButton(button, errorSlot, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  errorSlot.replaceChildren();
  try {
    return await action();
  } catch (error) {
    errorSlot.replaceChildren(errorBox(error));
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
