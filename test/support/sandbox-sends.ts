import { DataSource } from 'typeorm';
import { ManualClock } from '../../src/common/clock/clock';
import { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { CampaignFixture, insertRecipients } from './delivery-fixtures';

export interface SandboxCampaignSends {
  fixture: CampaignFixture;
  channelId: number;
  transport: string;
  phonePrefix: string;
  count: number;
}

export interface SendOptions {
  perSecond: number;
  /** Called after every simulated second, e.g. to run a tracking round every few seconds. */
  afterSecond?: (elapsedMs: number) => Promise<unknown> | void;
}

/**
 * Stands in for the dispatcher: puts `to_client` messages into the sandbox's store at a steady rate
 * (the manual clock moves one second per batch; the sandbox follows it) and records the recipients
 * as `sent`, with message id and sent_at, exactly as dispatch leaves them. Campaigns interleave.
 */
export async function sendThroughSandbox(
  sandbox: RunningSandbox,
  dataSource: DataSource,
  clock: ManualClock,
  campaigns: SandboxCampaignSends[],
  options: SendOptions,
): Promise<void> {
  const clients = campaigns.map((campaign) =>
    sandbox.seedClients({
      count: campaign.count,
      phonePrefix: campaign.phonePrefix,
      transport: campaign.transport,
      channelId: campaign.channelId,
    }),
  );
  const sent = campaigns.map(() => 0);
  const perCampaign = Math.max(1, Math.floor(options.perSecond / campaigns.length));
  let elapsedMs = 0;
  while (campaigns.some((campaign, index) => sent[index] < campaign.count)) {
    for (const [index, campaign] of campaigns.entries()) {
      const batch = clients[index].slice(sent[index], sent[index] + perCampaign);
      sent[index] += batch.length;
      const rows = batch.map((client) => {
        const message = sandbox.state.addMessage({
          clientId: client.id,
          text: 'Hello',
          attachment: null,
          type: 'to_client',
          transport: campaign.transport,
          channelId: campaign.channelId,
          operatorId: 1,
          createdAtMs: clock.nowMs(),
        });
        return { phone: client.phone, messageId: message.id, clientId: client.id, sentAt: clock.now() };
      });
      if (rows.length > 0) await insertRecipients(dataSource, campaign.fixture, rows);
    }
    clock.advance(1_000);
    elapsedMs += 1_000;
    await options.afterSecond?.(elapsedMs);
  }
}
