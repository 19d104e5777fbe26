import { Command } from 'nest-commander';
import { CliCommand } from '../cli-command';
import { CliOptions, printResult } from '../cli-output';
import { WebhookRegistrationService } from '../../delivery/webhook/webhook-registration.service';

@Command({
  name: 'webhook-register',
  arguments: '<url>',
  description: 'Register <url> (the public address of POST /api/webhooks/chat2desk) as the Chat2Desk webhook',
})
export class RegisterWebhookCommand extends CliCommand {
  constructor(private readonly registration: WebhookRegistrationService) {
    super();
  }

  async execute([url]: string[], options: CliOptions): Promise<void> {
    const result = await this.registration.register(url);
    printResult(
      options,
      result,
      (r) => `Chat2Desk will post ${r.events.join(', ')} events to ${r.url} (${r.api})`,
    );
  }
}

export const DELIVERY_COMMANDS = [RegisterWebhookCommand];
