import type { Transport } from '../common/domain';

/** One phone to map to a Chat2Desk client for one (transport, channel). */
export interface PhoneKey {
  phone: string;
  transport: Transport;
  channelId: number;
}

export interface ResolvedClient {
  phone: string;
  clientId: number;
  createdByUs: boolean;
}

/** A phone that cannot get a client: every recipient waiting for it ends with this reason. */
export interface ResolutionFailure {
  phone: string;
  state: 'failed' | 'skipped';
  reason: string;
  errorClass: string;
}

/** A recorded intent to create a client, and the one it replaced (null = none). */
export interface CreationIntent {
  phone: string;
  /** Exact database timestamps (text keeps the microseconds). */
  startedAt: string;
  previous: string | null;
}

export interface CachedClient {
  clientId: number;
  readyAt: Date;
  /** ready_at has passed on the database's clock. */
  ready: boolean;
}
