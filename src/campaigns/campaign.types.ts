import type { CampaignState, Transport } from '../common/domain';
import type { CampaignForecast } from './forecast/campaign-forecast';

/** Send window in local time, e.g. 10:00–20:00, in the recipient's or the campaign's timezone. */
export interface SendWindow {
  start: string;
  end: string;
  timezone: 'recipient' | 'campaign';
}

/** Equality filter on contact attributes, e.g. {"city": "Moscow"}. */
export type ContactFilter = Record<string, string>;

/** A row of `campaigns`, read and written by CampaignStore. */
export interface Campaign {
  id: string;
  name: string;
  listId: string;
  contactFilter: ContactFilter;
  /** Local message text with {{variables}}; null when a Chat2Desk template is used. */
  text: string | null;
  /** bigint, kept as the string pg returns. */
  templateId: string | null;
  transport: Transport;
  /** bigint, kept as the string pg returns. */
  channelId: string;
  state: CampaignState;
  stateReason: string | null;
  scheduledAt: Date | null;
  /** IANA timezone the schedule, cron and a campaign send window are read in. */
  timezone: string;
  cron: string | null;
  sendWindow: SendWindow | null;
  expiresAfterMinutes: number | null;
  /** Skip a contact who got any campaign message within this many hours; null = no cap. */
  frequencyCapHours: number | null;
  allowPartial: boolean;
  /** Requests forecast at scheduling time, kept to compare with what was spent. */
  forecast: CampaignForecast | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The fields a draft's edit writes (and a new campaign starts with). */
export const EDITABLE_CAMPAIGN_FIELDS = [
  'name',
  'listId',
  'contactFilter',
  'text',
  'templateId',
  'transport',
  'channelId',
  'scheduledAt',
  'timezone',
  'cron',
  'sendWindow',
  'expiresAfterMinutes',
  'frequencyCapHours',
  'allowPartial',
] as const satisfies ReadonlyArray<keyof Campaign>;

export type EditableCampaign = Pick<Campaign, (typeof EDITABLE_CAMPAIGN_FIELDS)[number]>;

/** Columns a state transition may set besides state and state_reason. */
export type TransitionColumns = Partial<
  Pick<Campaign, 'scheduledAt' | 'startedAt' | 'finishedAt' | 'forecast' | 'allowPartial'>
>;
