import { NOT_MOBILE_REASON, OPTED_OUT_REASON, type Transport } from '../../common/domain';
import type { SqlParams } from '../../database/sql';
import type { ContactFilter } from '../campaign.types';
import { parseTemplate } from '../templates/template-renderer';
import { TemplateSql } from '../templates/template-sql';

/** Phone types WhatsApp cannot reach (contacts.phone_type, from libphonenumber). */
export const NOT_MOBILE_PHONE_TYPES = [
  'fixed_line',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'uan',
  'voicemail',
  'pager',
];

export interface RecipientSourceSpec {
  listId: string;
  /** The attribute names used in the list (RecipientSourceStore.specOf reads them). */
  attributeKeys: readonly string[];
  contactFilter: ContactFilter;
  transport: Transport;
  messageText: string;
}

/**
 * The recipients a campaign would have now, as SQL over the contact list: one row per contact
 * (contacts are unique per list and phone) with `skip_reason` (opted out, not a mobile number,
 * missing variable) and the rendered `text`. Used by the run preparation (INSERT … SELECT), the
 * preview, the missing-variables check and the forecast, so they always agree. A pure SQL builder:
 * the statements around it are in RecipientSourceStore and CampaignRecipientsStore.
 *
 * Columns: contact_id, phone, name, country, skip_reason, text.
 */
export function recipientSourceSql(spec: RecipientSourceSpec, params: SqlParams): string {
  const template = new TemplateSql(parseTemplate(spec.messageText), params, spec.attributeKeys);
  const whatsapp = spec.transport === 'whatsapp';
  const notMobile = whatsapp
    ? `WHEN c.phone_type = ANY(${params.add(NOT_MOBILE_PHONE_TYPES)}::text[]) THEN ${params.add(NOT_MOBILE_REASON)}::text`
    : '';
  return `
    SELECT c.id AS contact_id, c.phone, c.name, c.country, s.skip_reason,
           CASE WHEN s.skip_reason IS NULL THEN ${template.textExpression()} END AS text
    FROM contacts c
    ${template.variablesLateral()}
    CROSS JOIN LATERAL (
      SELECT CASE
        WHEN c.opted_out OR EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = c.phone) THEN ${params.add(OPTED_OUT_REASON)}::text
        ${notMobile}
        ELSE ${template.missingReasonExpression()}
      END AS skip_reason
    ) s
    WHERE c.list_id = ${params.add(spec.listId)}::uuid AND c.attributes @> ${params.add(JSON.stringify(spec.contactFilter ?? {}))}::jsonb`;
}
