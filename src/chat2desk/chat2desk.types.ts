import type { Transport } from '../common/domain';

/** Shapes of the Chat2Desk API v1 as the manual and observed clients show them. Unknown fields are kept. */

export type ApiMode = 'disabled' | 'demo' | 'normal' | 'unlimited';

/** What a request is for, so reports can show "API requests spent by kind". */
export type RequestKind = 'info' | 'lookup' | 'create' | 'send' | 'status_poll' | 'other';

/** Optional per-call context: attributes the request to a campaign in the ledger. */
export interface RequestContext {
  campaignId?: string;
  kind?: RequestKind;
  /**
   * Asked once, after the rate-limit slot is granted and right before the request goes out: false =
   * it may no longer go (the campaign was paused, the phone opted out…), and no request is made.
   */
  admit?: () => Promise<boolean>;
  /**
   * Runs after the rate-limit slot, right before each attempt of the request goes out (429 retries
   * included): records what must precede the request and be as close to it as possible — a client
   * creation intent. If it throws, no request is made.
   */
  beforeRequest?: () => Promise<void>;
}

export interface PageMeta {
  total: number;
  limit: number;
  offset: number;
}

export interface Page<T> {
  data: T[];
  meta: PageMeta;
}

export interface PageParams {
  limit?: number;
  offset?: number;
}

export interface ApiInfo {
  mode: ApiMode | string;
  hook: string | null;
  current_version?: number;
  /** Newer accounts may omit it: keep a local count too. */
  requests_this_month?: number;
  channels?: number;
  company_name?: string;
  [field: string]: unknown;
}

export interface ApiModeInfo {
  name: string;
  description: string;
}

export interface Channel {
  id: number;
  name: string;
  phone: string;
  transports: string[];
  [field: string]: unknown;
}

export interface Template {
  id: number;
  name?: string;
  command?: string;
  text: string;
  created?: string;
  [field: string]: unknown;
}

export interface Chat2DeskClientRecord {
  id: number;
  phone: string | null;
  name: string | null;
  assigned_name: string | null;
  comment?: string | null;
  [field: string]: unknown;
}

export interface ClientTransports {
  channel_id: number;
  transports: string[];
}

export interface ClientUpdate {
  nickname?: string | null;
  comment?: string;
  extra_comment_1?: string;
  extra_comment_2?: string;
  extra_comment_3?: string;
}

export type MessageType = 'to_client' | 'from_client' | 'autoreply' | 'system';

export interface Message {
  id: number;
  client_id: number;
  text: string | null;
  type: MessageType | string;
  transport: string;
  channel_id?: number;
  /** `2016-01-11T19:45:05 UTC` */
  created: string;
  /** Raw delivery status; values are not documented (delivered, read, failed, sent, not delivered…). */
  recipient_status?: string | null;
  [field: string]: unknown;
}

export interface MessageListParams extends PageParams {
  clientId?: number;
  type?: 'to_client' | 'from_client';
  channelId?: number;
  transport?: Transport;
  /** Page by id: messages from this id on (or up to it with directionReverse). */
  startId?: number;
  directionReverse?: boolean;
  order?: 'asc' | 'desc';
}

export interface SendMessageRequest {
  clientId: number;
  text: string;
  type?: 'to_client' | 'autoreply' | 'system';
  transport?: Transport;
  channelId?: number;
  attachment?: string;
  pdf?: string;
  operatorId?: number;
}

export interface SendMessageResult {
  /** Missing on some accounts (the v1.09 manual omits it): then find it with `messages()`. */
  message_id?: number;
  channel_id?: number;
  operator_id?: number;
  transport?: string;
  type?: string;
  client_id: number;
  dialog_id?: number;
  request_id?: number;
  [field: string]: unknown;
}

export interface Operator {
  id: number;
  email: string | null;
  role: string;
  [field: string]: unknown;
}

export interface WebhookRegistration {
  url: string;
  name?: string;
  events?: string[];
  channels?: number[];
  status?: 'enable' | 'disable';
}
