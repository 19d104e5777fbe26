import { h } from '../dom.js';

/** An inline error: a failed call (its text is the API's own `message`) or a sentence. */
export function errorBox(error) {
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert' },
    typeof error === 'string' ? error : error.message,
  );
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
