import { Inject, Injectable } from '@nestjs/common';
import { Chat2DeskClient } from '../chat2desk/chat2desk.client';
import { QuotaService } from '../chat2desk/quota.service';
import { RequestLedger } from '../chat2desk/request-ledger';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { QuotaOverviewStore } from './quota-overview.store';

export interface QuotaOverview {
  month: string;
  mode: string | null;
  /** null = unlimited or not known yet. */
  limit: number | null;
  used: {
    /** `requests_this_month` as Chat2Desk last reported it (null when the account omits it). */
    service: number | null;
    /** Requests this app reserved this month, all instances. */
    local: number;
    /** Requests the ledger recorded this month (what was actually sent, every outcome). */
    ledger: number;
  };
  /** Forecast requests of scheduled and running campaigns not spent yet. */
  reservedByCampaigns: number;
  /** Kept back for people working in Chat2Desk by hand. */
  reserve: number;
  /** What campaigns may still spend this month after the reservations; null = unlimited. */
  available: number | null;
  rateLimitPerSecond: number;
}

/** The account overview: API mode and limit, this month's usage from both sides, reservations, rate limit. */
@Injectable()
export class QuotaOverviewService {
  constructor(
    private readonly store: QuotaOverviewStore,
    private readonly quota: QuotaService,
    private readonly client: Chat2DeskClient,
    private readonly ledger: RequestLedger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `refresh` spends one api_info request to read the service's own counter now. */
  async overview(refresh = false): Promise<QuotaOverview> {
    if (refresh) await this.quota.applyApiInfo(await this.client.apiInfo({ kind: 'info' }));
    const status = await this.quota.status();
    // rows() flushes the ledger first, so the reservations below see every request counted so far.
    const ledger = await this.ledgerTotal(status.month);
    const reservedByCampaigns = await this.store.reservedByCampaigns();
    return {
      month: status.month,
      mode: status.mode,
      limit: status.limit,
      used: { service: status.usedReported, local: status.usedLocal, ledger },
      reservedByCampaigns,
      reserve: status.reserve,
      available: status.remaining === null ? null : Math.max(0, status.remaining - reservedByCampaigns),
      rateLimitPerSecond: this.config.chat2desk.rateLimitPerSecond,
    };
  }

  private async ledgerTotal(month: string): Promise<number> {
    return (await this.ledger.rows({ month })).reduce((sum, row) => sum + row.count, 0);
  }
}
