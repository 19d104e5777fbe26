import { Clock } from '../common/clock/clock';
import { Chat2DeskQuotaExhaustedError } from './chat2desk.errors';
import { ApiInfo, ApiMode, RequestContext } from './chat2desk.types';
import { Sql } from '../database/sql';

export const MONTHLY_LIMIT_BY_MODE: Record<ApiMode, number | null> = {
  disabled: 0,
  demo: 1_000,
  normal: 50_000,
  unlimited: null,
};

export interface QuotaStatus {
  /** `YYYY-MM` (UTC). */
  month: string;
  mode: string | null;
  /** null = unlimited (or not known yet). */
  limit: number | null;
  /** Requests reserved by this app this month, all instances (blocks held by running processes included). */
  usedLocal: number;
  /** `requests_this_month` from the last api_info, when the account reports it. */
  usedReported: number | null;
  /** Kept back from campaigns for people and other integrations. */
  reserve: number;
  /** What campaigns may still spend this month (null = unlimited). */
  remaining: number | null;
}

export interface QuotaSettings {
  /** CHAT2DESK_MONTHLY_QUOTA: overrides the mode's limit. */
  monthlyQuota?: number;
  /** CHAT2DESK_QUOTA_RESERVE */
  reserve: number;
  rateLimitPerSecond: number;
}

/** Where the account's mode comes from when nothing is known yet (an api_info call). */
export type ModeLoader = () => Promise<ApiInfo>;

/**
 * The month's request budget, reserved in Postgres BEFORE each request, atomically across instances
 * (one row per month). Busy processes reserve a few units at a time and give back the rest on close.
 */
export class QuotaService {
  private mode: string | null = null;
  private modeLoader?: ModeLoader;
  private loadingMode?: Promise<void>;
  /** Units reserved in the database but not used yet, for `month`. */
  private readonly pool = { month: '', units: 0 };
  /** The month whose row this process already made sure exists. */
  private knownMonth = '';
  private readonly maxBlock: number;

  constructor(
    private readonly sql: Sql,
    private readonly settings: QuotaSettings,
    private readonly clock: Clock,
  ) {
    this.maxBlock = Math.max(1, Math.round(settings.rateLimitPerSecond * 0.05));
  }

  useModeLoader(loader: ModeLoader): void {
    this.modeLoader = loader;
  }

  currentMonth(): string {
    return this.clock.now().toISOString().slice(0, 7);
  }

  /**
   * Reserves `count` requests or throws a local Chat2DeskQuotaExhaustedError. Campaign traffic
   * (a campaignId in the context) may not use the reserve. `isModeProbe` = the api_info call that
   * learns the limit, allowed before the limit is known.
   */
  async reserve(count: number, context: RequestContext = {}, isModeProbe = false): Promise<void> {
    const month = this.currentMonth();
    if (this.pool.month === month && this.pool.units >= count) {
      this.pool.units -= count;
      return;
    }
    // The api_info probe is never refused here: it is how a raised mode is seen after the quota ran out.
    const limit = isModeProbe ? null : await this.limit();
    const ceiling = limit === null ? null : context.campaignId ? limit - this.settings.reserve : limit;
    const wanted = context.campaignId ? Math.max(count, this.blockSize(limit)) : count;
    const granted = await this.reserveInDatabase(month, count, wanted, ceiling, isModeProbe);
    if (granted === 0) {
      throw new Chat2DeskQuotaExhaustedError(
        'quota',
        `monthly request limit reached (${limit} this month${context.campaignId ? `, ${this.settings.reserve} kept in reserve` : ''}); no request was made`,
        true,
      );
    }
    if (this.pool.month !== month) Object.assign(this.pool, { month, units: 0 });
    this.pool.units += granted - count;
  }

  /** A unit reserved for a request that was then not made goes back to this process's block. */
  returnUnused(count: number): void {
    if (this.pool.month === this.currentMonth()) this.pool.units += count;
  }

  /** Gives back units reserved in blocks but not used (on shutdown). */
  async release(): Promise<void> {
    const { month, units } = this.pool;
    this.pool.units = 0;
    if (units > 0) {
      await this.sql(
        `WITH released AS (UPDATE chat2desk_quota_month SET used = greatest(used - $2, 0) WHERE month = $1 RETURNING used) SELECT used FROM released`,
        [month, units],
      );
    }
  }

  /**
   * Learns the mode and the service's own counter; the local counter never stays below it. The
   * answer itself proves Chat2Desk accepts requests again: a service-side exhaustion mark is cleared.
   */
  async applyApiInfo(info: ApiInfo): Promise<void> {
    this.mode = String(info.mode);
    const reported = typeof info.requests_this_month === 'number' ? info.requests_this_month : null;
    const month = await this.ensureMonthRow();
    await this.sql(
      `WITH applied AS (
         UPDATE chat2desk_quota_month
         SET mode = $2, reported_used = coalesce($3, reported_used), reported_at = CASE WHEN $3::int IS NULL THEN reported_at ELSE now() END,
             service_exhausted_at = NULL,
             used = greatest(used, coalesce($3, 0))
         WHERE month = $1 RETURNING used)
       SELECT used FROM applied`,
      [month, this.mode, reported],
    );
  }

  /**
   * Chat2Desk itself answered "API calls exceeded API limit per month" while our count had room
   * (other integrations, people, a counter we never saw): the month counts as spent here too — no
   * reservation is granted (the api_info probe excepted) and `remaining` is 0 — so nothing, a resumed
   * campaign included, spends a batch to find out again. The next successful api_info (a raised
   * mode or limit, see refreshIfDue) or the next month clears it.
   */
  async recordServiceExhausted(): Promise<void> {
    const month = await this.ensureMonthRow();
    this.pool.units = 0;
    await this.sql(
      `WITH marked AS (UPDATE chat2desk_quota_month SET service_exhausted_at = coalesce(service_exhausted_at, now()) WHERE month = $1 RETURNING month)
       SELECT month FROM marked`,
      [month],
    );
  }

  /**
   * Re-reads api_info (one request) unless some instance did in the last `minIntervalMs` (measured
   * on the database's clock): how a quota pause notices a raised mode. Returns whether it asked.
   */
  async refreshIfDue(minIntervalMs: number): Promise<boolean> {
    const month = await this.ensureMonthRow();
    const elected = await this.sql<{ month: string }>(
      `WITH elected AS (
         UPDATE chat2desk_quota_month SET mode_checked_at = now()
         WHERE month = $1 AND (mode_checked_at IS NULL OR mode_checked_at <= now() - $2::int * interval '1 millisecond')
         RETURNING month)
       SELECT month FROM elected`,
      [month, minIntervalMs],
    );
    if (elected.length === 0) return false;
    await this.refresh();
    return true;
  }

  /** Spends one api_info request to learn the mode and the service's counter now. */
  async refresh(): Promise<QuotaStatus> {
    if (!this.modeLoader)
      throw new Error('QuotaService.refresh needs a mode loader (createChat2DeskStack sets it)');
    await this.applyApiInfo(await this.modeLoader());
    return this.status();
  }

  async status(): Promise<QuotaStatus> {
    const month = await this.ensureMonthRow();
    const [row] = await this.sql<{
      used: number;
      reported_used: number | null;
      mode: string | null;
      service_exhausted: boolean;
    }>(
      `SELECT used, reported_used, mode, service_exhausted_at IS NOT NULL AS service_exhausted FROM chat2desk_quota_month WHERE month = $1`,
      [month],
    );
    // The row is shared: another instance may have learned a new mode (a raised plan) since.
    this.mode = row?.mode ?? this.mode;
    const limit = this.limitIfKnown() ?? null;
    const used = Number(row?.used ?? 0);
    return {
      month,
      mode: this.mode,
      limit,
      usedLocal: used,
      usedReported: row?.reported_used ?? null,
      reserve: this.settings.reserve,
      remaining: row?.service_exhausted
        ? 0
        : limit === null
          ? null
          : Math.max(0, limit - this.settings.reserve - used),
    };
  }

  /** undefined = not known yet (no override and no api_info so far); null = unlimited. */
  private limitIfKnown(): number | null | undefined {
    if (this.settings.monthlyQuota !== undefined) return this.settings.monthlyQuota;
    if (this.mode === null) return undefined;
    return this.mode in MONTHLY_LIMIT_BY_MODE
      ? MONTHLY_LIMIT_BY_MODE[this.mode as ApiMode]
      : MONTHLY_LIMIT_BY_MODE.demo;
  }

  private async limit(): Promise<number | null> {
    const known = this.limitIfKnown();
    if (known !== undefined) return known;
    await this.loadMode();
    return this.limitIfKnown() ?? null;
  }

  /** Another instance may have stored the mode; else ask api_info once (single flight). */
  private async loadMode(): Promise<void> {
    this.loadingMode ??= (async () => {
      const [row] = await this.sql<{ mode: string | null }>(
        `SELECT mode FROM chat2desk_quota_month WHERE mode IS NOT NULL ORDER BY month DESC LIMIT 1`,
      );
      if (row?.mode) this.mode = row.mode;
      else if (this.modeLoader) await this.applyApiInfo(await this.modeLoader());
    })().finally(() => (this.loadingMode = undefined));
    await this.loadingMode;
  }

  /** Small blocks only while plenty is left, so instances near the end of the month share fairly. */
  private blockSize(limit: number | null): number {
    return limit === null ? this.maxBlock : Math.min(this.maxBlock, Math.max(1, Math.floor(limit / 1000)));
  }

  /** Grants between `minimum` and `wanted` units under `ceiling` (null = none), or 0. */
  private async reserveInDatabase(
    month: string,
    minimum: number,
    wanted: number,
    ceiling: number | null,
    isModeProbe: boolean,
  ): Promise<number> {
    await this.ensureMonthRow(month);
    const [row] = await this.sql<{ granted: number }>(
      `WITH current AS (SELECT used, service_exhausted_at FROM chat2desk_quota_month WHERE month = $1 FOR UPDATE),
            grant_size AS (SELECT CASE WHEN service_exhausted_at IS NOT NULL AND NOT $5::boolean THEN 0
                                       WHEN $4::int IS NULL THEN $3::int ELSE least($3::int, $4::int - used) END AS granted FROM current),
            taken AS (
              UPDATE chat2desk_quota_month q SET used = q.used + g.granted FROM grant_size g
              WHERE q.month = $1 AND g.granted >= $2 RETURNING g.granted)
       SELECT granted FROM taken`,
      [month, minimum, wanted, ceiling, isModeProbe],
    );
    return row ? Number(row.granted) : 0;
  }

  /** A new month starts a new row (carrying the last known mode). */
  private async ensureMonthRow(month = this.currentMonth()): Promise<string> {
    if (this.knownMonth === month) return month;
    await this.sql(
      `INSERT INTO chat2desk_quota_month (month, used, mode) VALUES ($1, 0, $2) ON CONFLICT (month) DO NOTHING`,
      [month, this.mode],
    );
    this.knownMonth = month;
    return month;
  }
}
