import { Test } from '@nestjs/testing';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { ConsistencyCheckJob } from '../campaigns/lifecycle/consistency-check.job';
import { Observers } from '../common/observers';
import { ImportRunner } from '../contacts/import/import-runner';
import { createEmptyDatabase } from '../../test/support/test-database';
import { QuotaService } from '../chat2desk/quota.service';
import { RequestGate } from '../chat2desk/request-gate';
import { Database } from '../database/database';
import { RecipientReportsStore } from '../recipients/recipient-reports.store';
import { MetricsService } from './metrics.service';

describe('recipients_by_state collector', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let metrics: MetricsService;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    dataSource = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    const moduleRef = await Test.createTestingModule({
      providers: [
        MetricsService,
        RecipientReportsStore,
        { provide: Database, useValue: new Database(dataSource) },
        // No Chat2Desk here: an unknown quota and a gate nobody calls.
        { provide: QuotaService, useValue: { status: () => Promise.resolve({ remaining: null }) } },
        { provide: RequestGate, useValue: { onOutcome: () => undefined, onRateLimitWait: () => undefined } },
        { provide: PinoLogger, useValue: new PinoLogger({ pinoHttp: { level: 'silent' } }) },
        // Nothing imports or checks here: observers nobody notifies.
        { provide: ImportRunner, useValue: { rowsProcessed: new Observers(), throughput: new Observers() } },
        { provide: ConsistencyCheckJob, useValue: { strandedCounted: new Observers() } },
      ],
    }).compile();
    metrics = moduleRef.get(MetricsService);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const series = async () =>
    (await metrics.render()).body.split('\n').filter((line) => line.startsWith('recipients_by_state{'));

  it('scrapes without error and without series before the recipients table exists', async () => {
    expect(await series()).toEqual([]);
  });

  it('counts recipients per state from the database at scrape time', async () => {
    await dataSource.query(`CREATE TABLE campaign_recipients (state text NOT NULL)`);
    await dataSource.query(`INSERT INTO campaign_recipients (state) VALUES ('sent'), ('sent'), ('failed')`);
    expect((await series()).sort()).toEqual([
      'recipients_by_state{state="failed"} 1',
      'recipients_by_state{state="sent"} 2',
    ]);
    await dataSource.query(`UPDATE campaign_recipients SET state = 'delivered' WHERE state = 'sent'`);
    expect((await series()).sort()).toEqual([
      'recipients_by_state{state="delivered"} 2',
      'recipients_by_state{state="failed"} 1',
    ]);
  });
});
