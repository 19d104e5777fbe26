import type { TimelineCount } from '../recipients/recipient-reports.store';

/** One minute of a campaign: messages sent, delivered (read counts as delivered) and failed in it. */
export interface TimelineBucket {
  /** Start of the minute, ISO 8601 UTC. */
  minute: string;
  sent: number;
  delivered: number;
  failed: number;
}

/** `{minute, kind, count}` rows (any order, minutes truncated) → one bucket per minute, ascending. */
export function buildTimeline(rows: TimelineCount[]): TimelineBucket[] {
  const buckets = new Map<number, TimelineBucket>();
  for (const row of rows) {
    const key = row.minute.getTime();
    const bucket = buckets.get(key) ?? { minute: row.minute.toISOString(), sent: 0, delivered: 0, failed: 0 };
    bucket[row.kind] += Number(row.count);
    buckets.set(key, bucket);
  }
  return [...buckets.entries()].sort(([a], [b]) => a - b).map(([, bucket]) => bucket);
}
