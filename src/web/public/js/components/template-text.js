import { h } from '../dom.js';

/** Same placeholder syntax as the server's renderer: {{name}} or {{name|default}}. */
const PLACEHOLDER = /\{\{([^{}|]*)(?:\|([^{}]*))?\}\}/g;

/** Message text with its variables highlighted, so a marketer sees what will be filled in. */
export function templateText(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    parts.push(text.slice(last, match.index));
    const hasDefault = match[2] !== undefined;
    parts.push(
      h(
        'mark',
        {
          class: hasDefault ? 'variable variable-default' : 'variable',
          title: hasDefault ? match[2] : undefined,
        },
        match[0],
      ),
    );
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return h('p', { class: 'message-text' }, parts);
}
