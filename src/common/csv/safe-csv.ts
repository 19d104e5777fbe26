import { stringify } from 'csv-stringify';
import type { ColumnOption, Stringifier } from 'csv-stringify';

/**
 * The one way the product writes CSV (rejected.csv, the recipients export, the CLI export):
 * UTF-8 with a byte-order mark (Excel then shows Cyrillic), RFC 4180 quoting, and every cell a
 * spreadsheet would run as a formula neutralized. `src/architecture.spec.ts` keeps every other file
 * off csv-stringify.
 */

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return that hides one) as a
 * formula: a contact named `=HYPERLINK(...)` would become a link in the marketer's Excel, and
 * `@cmd|…` / `+cmd|…` can start programs (DDE). Such a cell gets a leading apostrophe (OWASP "CSV
 * injection"), which spreadsheets show as text and do not save. Leading whitespace does not hide a
 * formula (LibreOffice trims it on import), nor do the full-width signs some locales accept.
 *
 * Phone-like values are neutralized too (`+79161234567` → `'+79161234567`): Excel then shows the
 * number as text with its plus instead of a number in scientific notation, and the import reads
 * `'+7…` back as the same phone. The product's own phone columns are E.164 digits without `+`, so
 * they are never touched.
 */
const FORMULA_START = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/;

export function neutralizeCsvValue(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export interface SafeCsvOptions {
  /** Object rows: which keys, in which order, under which headers (written as the first row). */
  columns?: Array<{ key: string; header: string }>;
}

/**
 * A csv-stringify transform that writes the BOM first and neutralizes every string cell, header
 * cells included. Rows are arrays of cells, or objects when `columns` are given.
 */
export function safeCsvStringifier(options: SafeCsvOptions = {}): Stringifier {
  const columns: ColumnOption[] | undefined = options.columns?.map(({ key, header }) => ({
    key,
    header: neutralizeCsvValue(header),
  }));
  return stringify({
    bom: true,
    ...(columns ? { header: true, columns } : {}),
    cast: { string: neutralizeCsvValue },
  });
}
