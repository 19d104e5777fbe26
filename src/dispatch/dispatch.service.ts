import { Injectable } from '@nestjs/common';
import { TestMessageResult, TestMessageSender } from '../clients/test-message-sender';
import type { Transport } from '../common/domain';
import { PreparationQueue } from '../recipients/preparation-queue';

export type SingleSendResult = TestMessageResult;

/** Transitional: campaigns call TestMessageSender and the recipients store directly once merged. */
@Injectable()
export class DispatchService {
  constructor(
    private readonly sender: TestMessageSender,
    private readonly preparation: PreparationQueue,
  ) {}

  sendSingle(phone: string, transport: string, channelId: number, text: string): Promise<SingleSendResult> {
    return this.sender.send(phone, transport as Transport, channelId, text);
  }

  problemSummary(campaignId: string): Promise<Array<{ state: string; reason: string; count: number }>> {
    return this.preparation.problemSummary(campaignId);
  }
}
