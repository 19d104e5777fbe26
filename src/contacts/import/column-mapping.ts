/** Which columns of a file hold the phone and the name; every other column becomes an attribute. */
export interface ColumnMapping {
  /** Tried in order per row: the first non-empty cell is the phone (Outlook has Mobile, Home, Business…). */
  phoneColumns: number[];
  /** A full-name column, or given/middle/family parts joined with spaces. */
  nameColumns: number[];
  /** Index → attribute key (the header text, made unique); jsonKey is `"key":`, encoded once. */
  attributeColumns: Array<{ index: number; key: string; jsonKey: string }>;
}

export class ColumnMappingError extends Error {}

/** Header spellings, most specific first: a mobile number beats a generic or a work one. */
const PHONE_HEADERS = [
  [
    'mobile phone',
    'mobile',
    'mobile number',
    'cell phone',
    'cell',
    'мобильный',
    'мобильный телефон',
    'сотовый',
    'сотовый телефон',
    'whatsapp',
  ],
  [
    'phone',
    'phone number',
    'telephone',
    'tel',
    'msisdn',
    'телефон',
    'тел',
    'номер',
    'номер телефона',
    'phone 1 value',
    'primary phone',
  ],
  [
    'phone 2 value',
    'phone 3 value',
    'home phone',
    'home phone 2',
    'other phone',
    'business phone',
    'business phone 2',
    'company main phone',
    'рабочий телефон',
    'домашний телефон',
  ],
];
const FULL_NAME_HEADERS = [
  'name',
  'full name',
  'fullname',
  'display name',
  'contact',
  'contact name',
  'client',
  'customer',
  'фио',
  'ф и о',
  'полное имя',
  'клиент',
  'контакт',
  'имя фамилия',
];
const NAME_PART_HEADERS = [
  ['first name', 'given name', 'firstname', 'имя'],
  ['middle name', 'additional name', 'отчество'],
  ['last name', 'family name', 'lastname', 'surname', 'фамилия'],
];

/** "Phone 1 - Value" → "phone 1 value", "Тел." → "тел". */
export function normalizeHeader(header: string): string {
  return header
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function resolveColumnMapping(
  header: string[],
  explicit: { phoneColumn?: string | null; nameColumn?: string | null },
): ColumnMapping {
  const normalized = header.map(normalizeHeader);
  const phoneColumns = explicit.phoneColumn
    ? [findExplicit(header, normalized, explicit.phoneColumn, 'phoneColumn')]
    : findPhoneColumns(normalized);
  if (phoneColumns.length === 0) {
    throw new ColumnMappingError(
      `No phone column found among the headers: ${header.map((h) => `"${h}"`).join(', ')}. ` +
        `Name the column "phone" (or "телефон"), or choose it with phoneColumn.`,
    );
  }
  const nameColumns = explicit.nameColumn
    ? [findExplicit(header, normalized, explicit.nameColumn, 'nameColumn')]
    : findNameColumns(normalized, phoneColumns);
  const exclude = new Set([...phoneColumns.slice(0, 1), ...(nameColumns.length === 1 ? nameColumns : [])]);
  return { phoneColumns, nameColumns, attributeColumns: attributeColumns(header, exclude) };
}

function findExplicit(header: string[], normalized: string[], wanted: string, option: string): number {
  const exact = header.findIndex((h) => h.trim() === wanted.trim());
  const index = exact >= 0 ? exact : normalized.indexOf(normalizeHeader(wanted));
  if (index < 0) {
    throw new ColumnMappingError(
      `${option} "${wanted}" is not a column of the file; its headers are: ${header.map((h) => `"${h}"`).join(', ')}`,
    );
  }
  return index;
}

function findPhoneColumns(normalized: string[]): number[] {
  const found: number[] = [];
  for (const group of PHONE_HEADERS) {
    for (const spelling of group) {
      normalized.forEach((header, index) => {
        if (header === spelling && !found.includes(index)) found.push(index);
      });
    }
  }
  if (found.length > 0) return found;
  // Loose match last: "Телефон клиента", "Contact phone"…
  return normalized.flatMap((header, index) => (/(phone|mobile|телефон|тел\b)/u.test(header) ? [index] : []));
}

function findNameColumns(normalized: string[], phoneColumns: number[]): number[] {
  const isFree = (index: number) => index >= 0 && !phoneColumns.includes(index);
  const parts = NAME_PART_HEADERS.map((spellings) =>
    normalized.findIndex((h) => spellings.includes(h)),
  ).filter(isFree);
  const full = normalized.findIndex((h) => FULL_NAME_HEADERS.includes(h));
  if (isFree(full)) return [full];
  // A lone "Имя" is a name on its own; with "Фамилия" next to it, the two make the name.
  return parts;
}

function attributeColumns(header: string[], exclude: Set<number>): ColumnMapping['attributeColumns'] {
  const used = new Set<string>();
  const columns: ColumnMapping['attributeColumns'] = [];
  header.forEach((raw, index) => {
    if (exclude.has(index)) return;
    const base = raw.trim() || `column ${index + 1}`;
    let key = base;
    for (let n = 2; used.has(key); n++) key = `${base} ${n}`;
    used.add(key);
    columns.push({ index, key, jsonKey: `${JSON.stringify(key)}:` });
  });
  return columns;
}
