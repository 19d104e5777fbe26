/**
 * Message templates: `{{name}}`, `{{order_id}}`, with a default after a bar: `{{name|клиент}}`.
 * A variable without a default and without a value makes the whole message unrenderable: the
 * recipient is skipped with the reason rather than sent a broken text.
 */
export type TemplateSegment =
  { kind: 'text'; value: string } | { kind: 'variable'; name: string; fallback?: string };

const PLACEHOLDER = /\{\{([^{}|]*)(?:\|([^{}]*))?\}\}/g;

export function parseTemplate(template: string): TemplateSegment[] {
  const segments: TemplateSegment[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1].trim();
    if (!name) continue; // `{{}}` is text, not a variable
    if (match.index > last) segments.push({ kind: 'text', value: template.slice(last, match.index) });
    const fallback = match[2];
    segments.push(
      fallback === undefined
        ? { kind: 'variable', name }
        : { kind: 'variable', name, fallback: fallback.trim() },
    );
    last = match.index + match[0].length;
  }
  if (last < template.length) segments.push({ kind: 'text', value: template.slice(last) });
  return segments;
}

/** Variables that have no default: a recipient without them cannot be sent this template. */
export function requiredVariables(segments: readonly TemplateSegment[]): string[] {
  const names = segments.flatMap((segment) =>
    segment.kind === 'variable' && segment.fallback === undefined ? [segment.name] : [],
  );
  return [...new Set(names)];
}

export function variableNames(segments: readonly TemplateSegment[]): string[] {
  return [...new Set(segments.flatMap((segment) => (segment.kind === 'variable' ? [segment.name] : [])))];
}

/** What a contact offers to a template. */
export interface ContactData {
  phone: string;
  name: string | null;
  attributes: Record<string, unknown>;
}

/**
 * Looks a variable up on a contact. `name` and `phone` come from the contact's own columns first;
 * anything else from its attributes (CSV columns), exact key first, then ignoring case, because
 * people type `{{Order_ID}}` for a column headed `order_id`. Blank values count as missing.
 * TemplateSql (template-sql.ts) mirrors this lookup in SQL; keep them in step.
 */
export function lookupVariable(contact: ContactData, variable: string): string | undefined {
  const key = variable.toLowerCase();
  if (key === 'name' && present(contact.name)) return present(contact.name);
  if (key === 'phone') return contact.phone;
  const exact = present(contact.attributes[variable]);
  if (exact !== undefined) return exact;
  for (const [attribute, value] of Object.entries(contact.attributes)) {
    if (attribute.toLowerCase() === key && present(value) !== undefined) return present(value);
  }
  return undefined;
}

function present(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

export type RenderResult = { ok: true; text: string } | { ok: false; missing: string[] };

export function renderTemplate(
  segments: readonly TemplateSegment[],
  lookup: (variable: string) => string | undefined,
): RenderResult {
  const missing: string[] = [];
  const parts = segments.map((segment) => {
    if (segment.kind === 'text') return segment.value;
    const value = lookup(segment.name) ?? segment.fallback;
    if (value === undefined) missing.push(segment.name);
    return value ?? '';
  });
  return missing.length > 0
    ? { ok: false, missing: [...new Set(missing)] }
    : { ok: true, text: parts.join('') };
}

export function renderForContact(template: string, contact: ContactData): RenderResult {
  return renderTemplate(parseTemplate(template), (variable) => lookupVariable(contact, variable));
}

const MISSING_VARIABLE_PREFIX = 'missing variable: ';

/** The reason a recipient is skipped for, in the words the reports show. */
export function missingVariableReason(variable: string): string {
  return `${MISSING_VARIABLE_PREFIX}${variable}`;
}

/** SQL LIKE pattern matching every missing-variable reason. */
export const MISSING_VARIABLE_LIKE = `${MISSING_VARIABLE_PREFIX}%`;
