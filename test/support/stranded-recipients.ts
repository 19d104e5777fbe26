import { DataSource } from 'typeorm';
import {
  StrandedGroup,
  StrandedRecipientsService,
} from '../../src/campaigns/lifecycle/stranded-recipients.service';

/**
 * The consistency check the `doctor` command and the periodic job run (same service, same SQL), for
 * tests: the stranded groups found, [] when every recipient waiting to be sent will be moved.
 */
export async function strandedRecipients(dataSource: DataSource): Promise<StrandedGroup[]> {
  return (await new StrandedRecipientsService(dataSource).find()).groups;
}
