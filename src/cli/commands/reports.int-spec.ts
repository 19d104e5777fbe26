import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../exit-codes';
import { insertCampaign, insertRecipients } from '../../../test/support/delivery-fixtures';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { CampaignRecipientsService } from '../../reports/campaign-recipients.service';
import { CampaignReportService } from '../../reports/campaign-report.service';
import { QuotaOverviewService } from '../../reports/quota-overview.service';
import { ExportCommand, QuotaCommand, ReportCommand } from './reports';

describe('report, export and quota commands', () => {
  let testApp: TestApp;
  let campaignId: string;
  const dir = mkdtempSync(join(tmpdir(), 'c2d-export-'));

  beforeAll(async () => {
    testApp = await createTestApp();
    const campaign = await insertCampaign(testApp.database.dataSource, { name: 'Black Friday' });
    campaignId = campaign.campaignId;
    await insertRecipients(testApp.database.dataSource, campaign, [
      { phone: '79770000001', name: 'Ольга', state: 'delivered', rawStatus: 'delivered' },
      {
        phone: '79770000002',
        name: '=1+1',
        state: 'failed',
        rawStatus: 'failed',
        reason: 'Chat2Desk: failed',
      },
    ]);
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await testApp?.close();
  });

  /** Runs a command as the CLI would and returns what it printed and the exit code it set. */
  async function run(
    command: { run(params: string[], options: object): Promise<void> },
    params: string[],
    options: object,
  ): Promise<{ stdout: string; exitCode: number }> {
    const written: string[] = [];
    const stdout = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk) => written.push(String(chunk)) > 0);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    process.exitCode = undefined;
    try {
      await command.run(params, options);
      return { stdout: written.join(''), exitCode: Number(process.exitCode) };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      process.exitCode = undefined;
    }
  }

  it('prints the report as text and as JSON', async () => {
    const command = new ReportCommand(testApp.app.get(CampaignReportService));
    const text = await run(command, [campaignId], {});
    expect(text.exitCode).toBe(ExitCode.Ok);
    expect(text.stdout).toContain('Black Friday');
    expect(text.stdout).toContain('delivered 1, failed 1');
    expect(text.stdout).toContain('failed: Chat2Desk: failed');
    const json = await run(command, [campaignId], { json: true });
    expect(JSON.parse(json.stdout)).toMatchObject({ campaignId, recipients: 2, deliveryRate: 0.5 });
  });

  it('exits with "not found" for an unknown campaign', async () => {
    const command = new ReportCommand(testApp.app.get(CampaignReportService));
    expect((await run(command, ['00000000-0000-0000-0000-000000000000'], { json: true })).exitCode).toBe(
      ExitCode.NotFound,
    );
  });

  it('exports the CSV to a file', async () => {
    const out = join(dir, 'recipients.csv');
    const result = await run(new ExportCommand(testApp.app.get(CampaignRecipientsService)), [campaignId], {
      out,
    });
    expect(result.stdout).toBe(`Wrote 2 recipients to ${out}\n`);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines[0]).toBe('\ufeffphone,name,state,raw_status,reason,sent_at,delivered_at,read_at,failed_at');
    expect(lines.slice(1, 3)).toEqual([
      '79770000001,Ольга,delivered,delivered,,,,,',
      "79770000002,'=1+1,failed,failed,Chat2Desk: failed,,,,",
    ]);
  });

  it('prints the quota overview', async () => {
    const result = await run(new QuotaCommand(testApp.app.get(QuotaOverviewService)), [], { json: true });
    expect(JSON.parse(result.stdout)).toMatchObject({ rateLimitPerSecond: 5, reserve: 50 });
  });
});
