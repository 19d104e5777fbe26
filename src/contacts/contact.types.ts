export type PhoneType =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'premium_rate'
  | 'toll_free'
  | 'shared_cost'
  | 'voip'
  | 'personal_number'
  | 'pager'
  | 'uan'
  | 'voicemail';

/** A `contact_lists` row. */
export interface ContactList {
  id: string;
  /** Unique case-insensitively (index on lower(name)). */
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

/** One phone in one list (a `contacts` row). */
export interface Contact {
  /** bigint: returned by pg as a string. */
  id: string;
  listId: string;
  /** E.164 digits without '+', e.g. 79161234567. */
  phone: string;
  name: string | null;
  /** Every other CSV column, header → value: the template variables. */
  attributes: Record<string, string>;
  optedOut: boolean;
  phoneType: PhoneType | null;
  /** ISO 3166 alpha-2 of the phone's country. */
  country: string | null;
  createdAt: Date;
  updatedAt: Date;
}
