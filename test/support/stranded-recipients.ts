import { DataSource } from 'typeorm';
import {
  StrandedGroup,
  StrandedRecipientsService,
} from '../../src/campaigns/lifecycle/stranded-recipients.service';
import { Database } from '../../src/database/database';
import { CampaignRecipientsStore } from '../../src/recipients/campaign-recipients.store';

/**
 * The consistency check the `doctor` command and the periodic job run (same service, same SQL), for
 * tests: the stranded groups found, [] when every recipient waiting to be sent will be moved.
 */
export async function strandedRecipients(dataSource: DataSource): Promise<StrandedGroup[]> {
  const service = new StrandedRecipientsService(new CampaignRecipientsStore(new Database(dataSource)));
  return (await service.find()).groups;
}
