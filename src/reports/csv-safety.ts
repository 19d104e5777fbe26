/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return that hides one) as a
 * formula: a contact named `=HYPERLINK(...)` would become a link in the marketer's Excel. Such values
 * get a leading apostrophe (OWASP "CSV injection"), which Excel shows as plain text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralizeCsvValue(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
