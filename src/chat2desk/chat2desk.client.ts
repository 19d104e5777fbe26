import type { Transport } from '../common/domain';
import { Injectable } from '@nestjs/common';
import { HttpCall, Chat2DeskHttp, SuccessEnvelope } from './chat2desk-http';
import {
  ApiInfo,
  ApiModeInfo,
  Channel,
  Chat2DeskClientRecord,
  ClientTransports,
  ClientUpdate,
  Message,
  MessageListParams,
  Operator,
  Page,
  PageParams,
  RequestContext,
  RequestKind,
  SendMessageRequest,
  SendMessageResult,
  Template,
  WebhookRegistration,
} from './chat2desk.types';
import { RequestGate } from './request-gate';

interface Request {
  method: HttpCall['method'];
  /** Template, e.g. `/v1/clients/:id`; `:id` is filled from `id`. */
  path: string;
  id?: number;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  kind: RequestKind;
}

/**
 * Typed Chat2Desk API v1 client. Every call goes through the RequestGate (quota reserved in the
 * database, shared rate-limit slot, ledger) and ends in data or a typed Chat2DeskError.
 * Each method takes an optional context to attribute the request to a campaign and a kind.
 */
@Injectable()
export class Chat2DeskClient {
  constructor(
    private readonly http: Chat2DeskHttp,
    private readonly gate: RequestGate,
  ) {}

  async apiInfo(context?: RequestContext): Promise<ApiInfo> {
    return (await this.request({ method: 'GET', path: '/v1/companies/api_info', kind: 'info' }, context))
      .data as ApiInfo;
  }

  /** The api_info call that learns the account's limit; it may go before the limit is known. */
  async apiInfoAsModeProbe(): Promise<ApiInfo> {
    return (await this.request({ method: 'GET', path: '/v1/companies/api_info', kind: 'info' }, {}, true))
      .data as ApiInfo;
  }

  async apiModes(context?: RequestContext): Promise<ApiModeInfo[]> {
    return (await this.request({ method: 'GET', path: '/v1/help/api_modes', kind: 'info' }, context))
      .data as ApiModeInfo[];
  }

  /** Transport name → attachment kinds supported from and to clients. */
  async transports(context?: RequestContext): Promise<Record<string, unknown>> {
    return (await this.request({ method: 'GET', path: '/v1/help/transports', kind: 'info' }, context))
      .data as Record<string, unknown>;
  }

  channels(page: PageParams = {}, context?: RequestContext): Promise<Page<Channel>> {
    return this.page<Channel>(
      { method: 'GET', path: '/v1/channels', query: pageQuery(page), kind: 'info' },
      page,
      context,
    );
  }

  async templates(context?: RequestContext): Promise<Template[]> {
    return (await this.request({ method: 'GET', path: '/v1/templates', kind: 'info' }, context))
      .data as Template[];
  }

  async template(id: number, context?: RequestContext): Promise<Template> {
    return (await this.request({ method: 'GET', path: '/v1/templates/:id', id, kind: 'info' }, context))
      .data as Template;
  }

  clients(
    params: PageParams & { phone?: string } = {},
    context?: RequestContext,
  ): Promise<Page<Chat2DeskClientRecord>> {
    return this.page<Chat2DeskClientRecord>(
      {
        method: 'GET',
        path: '/v1/clients',
        query: { phone: params.phone, ...pageQuery(params) },
        kind: 'lookup',
      },
      params,
      context,
    );
  }

  /** The client with this phone (digits, country code first), or undefined. */
  async findClientByPhone(
    phone: string,
    context?: RequestContext,
  ): Promise<Chat2DeskClientRecord | undefined> {
    const page = await this.clients({ phone }, context);
    return page.data.find((client) => client.phone === phone) ?? page.data[0];
  }

  /**
   * Creates a client (query string, as the manual shows). An existing phone either comes back with the
   * transport added (manual) or fails with Chat2DeskClientAlreadyExistsError carrying its id (newer).
   */
  async createClient(
    phone: string,
    transport: Transport,
    channelId?: number,
    context?: RequestContext,
  ): Promise<Chat2DeskClientRecord> {
    const query = { phone, transport, channel_id: channelId };
    return (await this.request({ method: 'POST', path: '/v1/clients', query, kind: 'create' }, context))
      .data as Chat2DeskClientRecord;
  }

  async updateClient(
    id: number,
    update: ClientUpdate,
    context?: RequestContext,
  ): Promise<Chat2DeskClientRecord> {
    return (
      await this.request({ method: 'PUT', path: '/v1/clients/:id', id, body: update, kind: 'other' }, context)
    ).data as Chat2DeskClientRecord;
  }

  async clientTransports(id: number, context?: RequestContext): Promise<ClientTransports[]> {
    return (
      await this.request({ method: 'GET', path: '/v1/clients/:id/transport', id, kind: 'lookup' }, context)
    ).data as ClientTransports[];
  }

  messages(params: MessageListParams = {}, context?: RequestContext): Promise<Page<Message>> {
    const query = {
      client_id: params.clientId,
      type: params.type,
      channel_id: params.channelId,
      transport: params.transport,
      start_id: params.startId,
      direction_reverse: params.directionReverse,
      order: params.order,
      ...pageQuery(params),
    };
    return this.page<Message>(
      { method: 'GET', path: '/v1/messages', query, kind: 'status_poll' },
      params,
      context,
    );
  }

  async sendMessage(message: SendMessageRequest, context?: RequestContext): Promise<SendMessageResult> {
    const body = {
      client_id: message.clientId,
      text: message.text,
      type: message.type ?? 'to_client',
      transport: message.transport,
      channel_id: message.channelId,
      attachment: message.attachment,
      pdf: message.pdf,
      operator_id: message.operatorId,
    };
    return (await this.request({ method: 'POST', path: '/v1/messages', body, kind: 'send' }, context))
      .data as SendMessageResult;
  }

  async getMessage(id: number, context?: RequestContext): Promise<Message> {
    return (await this.request({ method: 'GET', path: '/v1/messages/:id', id, kind: 'status_poll' }, context))
      .data as Message;
  }

  operators(page: PageParams = {}, context?: RequestContext): Promise<Page<Operator>> {
    return this.page<Operator>(
      { method: 'GET', path: '/v1/operators', query: pageQuery(page), kind: 'info' },
      page,
      context,
    );
  }

  /** Newer webhooks (`POST /v1/webhooks`): events such as inbox, outbox, outbox_status. */
  async registerWebhook(
    registration: WebhookRegistration,
    context?: RequestContext,
  ): Promise<Record<string, unknown>> {
    const body = { status: 'enable', events: ['inbox', 'outbox', 'outbox_status'], ...registration };
    return (await this.request({ method: 'POST', path: '/v1/webhooks', body, kind: 'other' }, context))
      .data as Record<string, unknown>;
  }

  /** The manual's single company web hook; null removes it. */
  async setCompanyWebhook(url: string | null, context?: RequestContext): Promise<void> {
    await this.request(
      { method: 'POST', path: '/v1/companies/web_hook', body: { url }, kind: 'other' },
      context,
    );
  }

  private async page<T>(request: Request, params: PageParams, context?: RequestContext): Promise<Page<T>> {
    const envelope = await this.request(request, context);
    const data = (Array.isArray(envelope.data) ? envelope.data : []) as T[];
    return {
      data,
      meta: envelope.meta ?? {
        total: data.length,
        limit: params.limit ?? data.length,
        offset: params.offset ?? 0,
      },
    };
  }

  private request(
    request: Request,
    context: RequestContext = {},
    isModeProbe = false,
  ): Promise<SuccessEnvelope> {
    const endpoint = `${request.method} ${request.path}`;
    const path = request.id === undefined ? request.path : request.path.replace(':id', String(request.id));
    const call: HttpCall = {
      method: request.method,
      endpoint,
      path: path + queryString(request.query),
      body: request.body,
    };
    return this.gate.run({ endpoint, kind: context.kind ?? request.kind, context, isModeProbe }, () =>
      this.http.call(call),
    );
  }
}

function pageQuery(page: PageParams): Record<string, number | undefined> {
  return { limit: page.limit, offset: page.offset };
}

function queryString(query: Request['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
