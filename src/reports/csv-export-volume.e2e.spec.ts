import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { insertCampaign } from '../delivery/testing/delivery-fixtures';
import { createTestApp, TestApp } from '../../test/utils/test-app';

const ROWS = 100_000;
const MB = 1024 * 1024;

/** Row n as the generator below writes it; every 1,000th name looks like a formula. */
function expectedRow(n: number): string[] {
  const name = n % 1_000 === 0 ? `'=HYPERLINK("x${n}")` : `Клиент ${n}`;
  return [
    String(79_100_000_000 + n),
    name,
    n % 10 === 0 ? 'failed' : 'delivered',
    n % 10 === 0 ? 'not delivered' : 'delivered',
    n % 10 === 0 ? 'Chat2Desk: not delivered' : '',
  ];
}

describe('CSV export of 100k recipients', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await createTestApp();
  });

  afterAll(() => testApp?.close());

  it('streams every row with bounded memory and parses back to the same rows', async () => {
    const { dataSource } = testApp.database;
    const campaign = await insertCampaign(dataSource);
    await dataSource.query(
      `INSERT INTO campaign_recipients (run_id, campaign_id, phone, name, state, raw_status, reason, sent_at)
       SELECT $1, $2, (79100000000 + n)::text,
              CASE WHEN n % 1000 = 0 THEN '=HYPERLINK("x' || n || '")' ELSE 'Клиент ' || n END,
              CASE WHEN n % 10 = 0 THEN 'failed' ELSE 'delivered' END,
              CASE WHEN n % 10 = 0 THEN 'not delivered' ELSE 'delivered' END,
              CASE WHEN n % 10 = 0 THEN 'Chat2Desk: not delivered' END,
              now()
       FROM generate_series(1, $3::int) AS n`,
      [campaign.runId, campaign.campaignId, ROWS],
    );

    const response = await fetch(`${testApp.url}/api/campaigns/${campaign.campaignId}/recipients.csv`, {
      headers: testApp.auth,
    });
    expect(response.status).toBe(200);
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakRss = before.rss;
    const parser = Readable.fromWeb(response.body as unknown as WebReadableStream).pipe(
      parse({ bom: true, relax_column_count: false }),
    );
    let index = -1;
    let mismatches = 0;
    for await (const record of parser as AsyncIterable<string[]>) {
      index += 1;
      if (index === 0) {
        expect(record).toEqual([
          'phone',
          'name',
          'state',
          'raw_status',
          'reason',
          'sent_at',
          'delivered_at',
          'read_at',
          'failed_at',
        ]);
        continue;
      }
      // Rows arrive in id order, which is n's order; compare without keeping them.
      if (JSON.stringify(record.slice(0, 5)) !== JSON.stringify(expectedRow(index))) mismatches += 1;
      if (index % 5_000 === 0) {
        const now = process.memoryUsage();
        peakHeap = Math.max(peakHeap, now.heapUsed);
        peakRss = Math.max(peakRss, now.rss);
      }
    }
    expect(index).toBe(ROWS);
    expect(mismatches).toBe(0);
    // Server and reader share this process: a buffered export of 100k rows would hold them all at once.
    const heapGrowthMb = (peakHeap - before.heapUsed) / MB;
    const rssGrowthMb = (peakRss - before.rss) / MB;
    process.stdout.write(
      `CSV export of ${ROWS} rows: heap growth ${heapGrowthMb.toFixed(1)} MB, RSS growth ${rssGrowthMb.toFixed(1)} MB\n`,
    );
    expect(heapGrowthMb).toBeLessThan(100);
    expect(rssGrowthMb).toBeLessThan(100);
  }, 120_000);
});
