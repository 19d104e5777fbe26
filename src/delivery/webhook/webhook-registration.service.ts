import { Inject, Injectable } from '@nestjs/common';
import { Chat2DeskClient } from '../../chat2desk/chat2desk.client';
import { Chat2DeskNotFoundError } from '../../chat2desk/chat2desk.errors';
import { InvalidInputError } from '../../common/errors/domain-error';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { WebhookSecretMissingError } from './webhook-secret';

export const WEBHOOK_EVENTS = ['inbox', 'outbox', 'outbox_status'];

export interface WebhookRegistrationResult {
  url: string;
  /** `webhooks` = the newer API with events; `company_hook` = the manual's single hook (inbox only). */
  api: 'webhooks' | 'company_hook';
  events: string[];
}

/**
 * Points Chat2Desk at our webhook: the newer `POST /v1/webhooks`, else the manual's company hook.
 * Refused without CHAT2DESK_WEBHOOK_SECRET: the webhook would answer every call 503.
 */
@Injectable()
export class WebhookRegistrationService {
  constructor(
    private readonly client: Chat2DeskClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async register(url: string): Promise<WebhookRegistrationResult> {
    if (!this.config.webhookSecret) throw new WebhookSecretMissingError('register');
    if (!/^https?:\/\/[^\s/]+/i.test(url))
      throw new InvalidInputError('url', 'must be an absolute http(s) URL');
    try {
      await this.client.registerWebhook({ url, name: 'chat2desk-campaigns', events: WEBHOOK_EVENTS });
      return { url, api: 'webhooks', events: WEBHOOK_EVENTS };
    } catch (error) {
      // Accounts without the newer API answer "Page not found" for it.
      if (!(error instanceof Chat2DeskNotFoundError)) throw error;
      await this.client.setCompanyWebhook(url);
      return { url, api: 'company_hook', events: ['inbox'] };
    }
  }
}
