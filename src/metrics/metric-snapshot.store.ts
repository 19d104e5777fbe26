import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

/** The database-wide gauges of /metrics, computed by one instance at a time into `metric_snapshots`. */
export const SNAPSHOT_GAUGES = ['recipients_by_state', 'quota_remaining'] as const;
export type SnapshotGaugeName = (typeof SNAPSHOT_GAUGES)[number];

/** One series of a gauge: its labels (none for a gauge without labels) and its value. */
export interface GaugeSeries {
  labels: Record<string, string>;
  value: number;
}

export interface GaugeSnapshot {
  name: SnapshotGaugeName;
  /** Empty when the gauge was computed and has nothing to show (an unlimited or unknown quota). */
  series: GaugeSeries[];
  /** On the clock of the instance that computed it. */
  computedAt: Date;
}

/**
 * Owner of `metric_snapshots`: one row per gauge with all its series. Scrapes read it (a few rows);
 * the snapshot job, holding the `metrics-snapshot` lease, replaces it.
 */
@Injectable()
export class MetricSnapshotStore {
  constructor(private readonly database: Database) {}

  /** The whole snapshot: what a scrape of /metrics reads from the database. */
  read(): Promise<GaugeSnapshot[]> {
    return this.database.sql<GaugeSnapshot>(
      `SELECT name, series, computed_at AS "computedAt" FROM metric_snapshots WHERE name = ANY($1)`,
      [SNAPSHOT_GAUGES],
    );
  }

  /** When the oldest gauge of the snapshot was computed; null while some gauge never was. */
  async oldestComputedAt(): Promise<Date | null> {
    const [row] = await this.database.sql<{ computed: number; oldest: Date | null }>(
      `SELECT count(*)::int AS computed, min(computed_at) AS oldest FROM metric_snapshots WHERE name = ANY($1)`,
      [SNAPSHOT_GAUGES],
    );
    return row.computed === SNAPSHOT_GAUGES.length ? row.oldest : null;
  }

  /** Replaces the rows of `gauges` by their new series, all stamped `computedAt`, in one statement. */
  async replace(
    gauges: ReadonlyArray<Pick<GaugeSnapshot, 'name' | 'series'>>,
    computedAt: Date,
  ): Promise<void> {
    await this.database.sql(
      `INSERT INTO metric_snapshots (name, series, computed_at)
       SELECT g.name, g.series, $2 FROM jsonb_to_recordset($1::jsonb) AS g(name text, series jsonb)
       ON CONFLICT (name) DO UPDATE SET series = EXCLUDED.series, computed_at = EXCLUDED.computed_at`,
      [JSON.stringify(gauges), computedAt],
    );
  }
}
