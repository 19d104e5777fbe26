import {
  API_MODES,
  CREATABLE_TRANSPORTS,
  formatChat2DeskDate,
  SANDBOX_CHANNELS,
  SANDBOX_OPERATORS,
  SANDBOX_TEMPLATES,
  SANDBOX_TRANSPORTS,
} from './sandbox-fixtures';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, SandboxRuntimeConfig } from './sandbox-options';
import {
  clientDetailView,
  clientTransportsView,
  clientView,
  MessageType,
  recipientStatusAt,
  SandboxClient,
  SandboxMessage,
  SandboxState,
} from './sandbox-state';

/** An error answer of the Chat2Desk API (`message` or field `errors`). */
export class SandboxApiError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly errors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

export const PAGE_NOT_FOUND = 'Page not found';

export interface ApiRequest {
  method: string;
  /** Path segments after `/v1/`, e.g. ['clients', '12', 'transport']. */
  segments: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  nowMs: number;
}

export interface ApiContext {
  state: SandboxState;
  config: SandboxRuntimeConfig;
  seed: number;
}

type Data = unknown;
export interface ApiAnswer {
  data: Data;
  meta?: { total: number; limit: number; offset: number };
}

/** Route key for the ledger and the fault plan: ids replaced by `:id`. */
export function routeKey(method: string, segments: string[]): string {
  return `${method} /v1/${segments.map((segment) => (/^\d+$/.test(segment) ? ':id' : segment)).join('/')}`;
}

/** Dispatches one authenticated, admitted request of the public API. */
export function handleApiRequest(request: ApiRequest, context: ApiContext): ApiAnswer {
  const [resource, id, sub] = request.segments;
  const idPart = id === undefined ? '' : /^\d+$/.test(id) ? '/:id' : `/${id}`;
  const route = `${request.method} ${resource}${idPart}${sub === undefined ? '' : `/${sub}`}`;
  switch (route) {
    case 'GET companies/api_info':
      return apiInfo(context);
    case 'GET help/api_modes':
      return { data: API_MODES };
    case 'GET help/transports':
      return { data: SANDBOX_TRANSPORTS };
    case 'GET channels':
      return page(SANDBOX_CHANNELS, request, context);
    case 'GET templates':
      return { data: SANDBOX_TEMPLATES };
    case 'GET templates/:id':
      return { data: findOr404(SANDBOX_TEMPLATES.find((template) => template.id === Number(id))) };
    case 'GET operators':
      return page(SANDBOX_OPERATORS, request, context);
    case 'GET clients':
      return listClients(request, context);
    case 'POST clients':
      return createClient(request, context);
    case 'GET clients/:id':
      return { data: clientDetailView(clientOr404(context, id)) };
    case 'PUT clients/:id':
      return updateClient(clientOr404(context, id), request.body);
    case 'GET clients/:id/transport':
      return { data: clientTransportsView(clientOr404(context, id)) };
    case 'GET messages':
      return listMessages(request, context);
    case 'POST messages':
      return sendMessage(request, context);
    case 'GET messages/:id':
      return { data: messageDetailView(messageOr404(context, id), request.nowMs, context) };
    case 'POST companies/web_hook':
      return setWebHook(request, context);
    case 'POST webhooks':
      return addWebhook(request, context);
    case 'GET webhooks':
      return { data: context.state.webhooks };
    default:
      throw new SandboxApiError(404, PAGE_NOT_FOUND);
  }
}

function apiInfo(context: ApiContext): ApiAnswer {
  return {
    data: {
      mode: context.config.mode,
      hook: context.state.webhookUrl,
      current_version: 1,
      ...(context.config.omitRequestsThisMonth
        ? {}
        : { requests_this_month: context.state.requestsThisMonth }),
      channels: SANDBOX_CHANNELS.length,
      company_name: 'Sandbox company',
    },
  };
}

function pageWindow(request: ApiRequest, context: ApiContext): { limit: number; offset: number } {
  const requested = request.query.has('limit') ? Number(request.query.get('limit')) : DEFAULT_PAGE_LIMIT;
  const offset = Number(request.query.get('offset') ?? 0);
  if (!Number.isInteger(requested) || requested < 1)
    throw new SandboxApiError(400, 'Validation failed', { limit: ['must be a positive integer'] });
  if (!Number.isInteger(offset) || offset < 0)
    throw new SandboxApiError(400, 'Validation failed', { offset: ['must be a non-negative integer'] });
  if (requested > MAX_PAGE_LIMIT && context.config.oversizeLimit === 'error') {
    throw new SandboxApiError(400, 'Validation failed', {
      limit: [`must be less than or equal to ${MAX_PAGE_LIMIT}`],
    });
  }
  return { limit: Math.min(requested, MAX_PAGE_LIMIT), offset };
}

function page<T>(items: T[], request: ApiRequest, context: ApiContext): ApiAnswer {
  const { limit, offset } = pageWindow(request, context);
  return { data: items.slice(offset, offset + limit), meta: { total: items.length, limit, offset } };
}

function findOr404<T>(item: T | undefined): T {
  if (item === undefined) throw new SandboxApiError(404, PAGE_NOT_FOUND);
  return item;
}

function clientOr404(context: ApiContext, id: string): SandboxClient {
  return findOr404(context.state.clientsById.get(Number(id)));
}

function messageOr404(context: ApiContext, id: string): SandboxMessage {
  return findOr404(context.state.messageById(Number(id)));
}

function listClients(request: ApiRequest, context: ApiContext): ApiAnswer {
  const phone = request.query.get('phone');
  if (phone === null) {
    const answer = page(context.state.clients, request, context);
    return { ...answer, data: (answer.data as SandboxClient[]).map(clientView) };
  }
  const found = context.state.clientsByPhone.get(digitsOnly(phone));
  const { limit, offset } = pageWindow(request, context);
  return {
    data: found && offset === 0 ? [clientView(found)] : [],
    meta: { total: found ? 1 : 0, limit, offset },
  };
}

function digitsOnly(value: string): string {
  return value.replace(/\D/g, '');
}

function param(request: ApiRequest, name: string): string | undefined {
  const fromQuery = request.query.get(name);
  if (fromQuery !== null && fromQuery !== '') return fromQuery;
  const fromBody = request.body[name];
  return fromBody === undefined || fromBody === null || fromBody === '' ? undefined : String(fromBody);
}

function createClient(request: ApiRequest, context: ApiContext): ApiAnswer {
  const { config, state } = context;
  if (config.clientCreation === 'disabled') {
    throw new SandboxApiError(
      403,
      'Creating clients is disabled for your company. Contact support to enable it',
    );
  }
  const phone = param(request, 'phone');
  const transport = param(request, 'transport');
  const channelId = Number(param(request, 'channel_id') ?? SANDBOX_CHANNELS[0].id);
  const errors: Record<string, string[]> = {};
  if (!phone || !/^\d{7,15}$/.test(phone)) errors.phone = ['Phone must contain 7 to 15 digits'];
  if (!transport || !CREATABLE_TRANSPORTS.has(transport))
    errors.transport = ['Transport must be one of: whatsapp, viber, sms'];
  const channel = SANDBOX_CHANNELS.find((candidate) => candidate.id === channelId);
  if (!channel) errors.channel_id = ['Channel not found'];
  else if (transport && !channel.transports.includes(transport))
    errors.transport = [`Transport ${transport} is not supported by channel ${channelId}`];
  if (Object.keys(errors).length > 0) throw new SandboxApiError(400, 'Validation failed', errors);

  const delayMs = config.whatsappNewClientDelaySeconds * 1000;
  const existing = state.clientsByPhone.get(phone!);
  if (existing && config.clientCreation === 'already-exists') {
    throw new SandboxApiError(400, 'Validation failed', {
      client: ['Such client already exist', JSON.stringify({ id: existing.id })],
    });
  }
  if (existing) {
    state.addTransport(existing, transport!, channelId, request.nowMs, delayMs);
    return { data: clientDetailView(existing) };
  }
  return { data: clientDetailView(state.addClient(phone!, transport!, channelId, request.nowMs, delayMs)) };
}

const CLIENT_UPDATABLE = ['comment', 'extra_comment_1', 'extra_comment_2', 'extra_comment_3'];

function updateClient(client: SandboxClient, body: Record<string, unknown>): ApiAnswer {
  if ('nickname' in body) client.assignedName = body.nickname === null ? null : String(body.nickname);
  for (const field of CLIENT_UPDATABLE) {
    if (!(field in body)) continue;
    const value = body[field] === null ? null : String(body[field]);
    if (field === 'comment') client.comment = value;
    else client.extraComments[field] = value;
  }
  return { data: clientDetailView(client) };
}

const MESSAGE_TYPES = new Set<MessageType>(['to_client', 'from_client', 'autoreply', 'system']);

function sendMessage(request: ApiRequest, context: ApiContext): ApiAnswer {
  const body = request.body;
  const client = context.state.clientsById.get(Number(body.client_id));
  const text = typeof body.text === 'string' ? body.text : '';
  const attachment =
    typeof body.attachment === 'string' ? body.attachment : typeof body.pdf === 'string' ? body.pdf : null;
  const type = (body.type ?? 'to_client') as MessageType;
  const errors: Record<string, string[]> = {};
  if (!client) errors.client_id = ['Client not found'];
  if (!text && !attachment) errors.text = ['Text is required when there is no attachment or pdf'];
  if (!MESSAGE_TYPES.has(type) || type === 'from_client')
    errors.type = ['Type must be one of: to_client, autoreply, system'];
  if (Object.keys(errors).length > 0) throw new SandboxApiError(400, 'Validation failed', errors);
  const route = chooseRoute(client!, body.transport, body.channel_id);
  const message = context.state.addMessage({
    clientId: client!.id,
    text,
    attachment,
    type,
    transport: route.transport,
    channelId: route.channelId,
    operatorId: body.operator_id === undefined ? 1 : Number(body.operator_id),
    createdAtMs: request.nowMs,
  });
  return {
    data: {
      ...(context.config.omitMessageId ? {} : { message_id: message.id }),
      channel_id: message.channelId,
      operator_id: message.operatorId,
      transport: message.transport,
      type: message.type,
      client_id: message.clientId,
      dialog_id: message.clientId,
      request_id: message.id,
    },
  };
}

/** Explicit transport/channel if the client has them; else the client's first (the manual: "last used"). */
function chooseRoute(
  client: SandboxClient,
  transport: unknown,
  channelId: unknown,
): { transport: string; channelId: number } {
  const channels = [...client.transports.entries()];
  const wantedChannel = channelId === undefined || channelId === null ? undefined : Number(channelId);
  const candidates = wantedChannel === undefined ? channels : channels.filter(([id]) => id === wantedChannel);
  for (const [id, transports] of candidates) {
    if (transport === undefined || transport === null)
      return { transport: [...transports][0], channelId: id };
    if (transports.has(String(transport))) return { transport: String(transport), channelId: id };
  }
  throw new SandboxApiError(400, 'Validation failed', {
    transport: [
      `Client ${client.id} has no transport ${String(transport ?? '')} in channel ${String(channelId ?? 'any')}`,
    ],
  });
}

function listMessages(request: ApiRequest, context: ApiContext): ApiAnswer {
  const { query } = request;
  const { limit, offset } = pageWindow(request, context);
  const clientId = query.get('client_id');
  const type = query.get('type');
  const source =
    clientId !== null
      ? (context.state.messagesByClient.get(Number(clientId)) ?? [])
      : type === 'to_client'
        ? context.state.toClientMessages
        : context.state.messages;
  const matches = messageFilter(query);
  const descending = query.get('order') === 'desc';
  const startId = query.has('start_id') ? Number(query.get('start_id')) : undefined;
  const reverse = query.get('direction_reverse') === 'true';
  const selected: SandboxMessage[] = [];
  let total = 0;
  // Ids grow with the arrays, so a start_id bound is a contiguous slice; one pass counts and pages.
  const inRange = (message: SandboxMessage) =>
    startId === undefined || (reverse ? message.id <= startId : message.id >= startId);
  const ordered = descending || reverse ? iterateBackwards(source) : source;
  for (const message of ordered) {
    if (!inRange(message) || !matches(message)) continue;
    if (total >= offset && selected.length < limit) selected.push(message);
    total += 1;
  }
  return {
    data: selected.map((message) => messageView(message, request.nowMs, context)),
    meta: { total, limit, offset },
  };
}

function* iterateBackwards<T>(items: T[]): Generator<T> {
  for (let index = items.length - 1; index >= 0; index -= 1) yield items[index];
}

function messageFilter(query: URLSearchParams): (message: SandboxMessage) => boolean {
  const checks: Array<(message: SandboxMessage) => boolean> = [];
  const clientId = query.get('client_id');
  const type = query.get('type');
  const channelId = query.get('channel_id');
  const transport = query.get('transport');
  if (clientId !== null) checks.push((message) => message.clientId === Number(clientId));
  if (type !== null) checks.push((message) => message.type === type);
  if (channelId !== null) checks.push((message) => message.channelId === Number(channelId));
  if (transport !== null) checks.push((message) => message.transport === transport);
  return (message) => checks.every((check) => check(message));
}

export function messageView(
  message: SandboxMessage,
  nowMs: number,
  context: ApiContext,
): Record<string, unknown> {
  return {
    id: message.id,
    text: message.text,
    photo: message.attachment,
    coordinates: null,
    transport: message.transport,
    type: message.type,
    read: message.type !== 'from_client',
    created: formatChat2DeskDate(message.createdAtMs),
    client_id: message.clientId,
    channel_id: message.channelId,
    recipient_status: recipientStatusAt(message, nowMs, context.seed, context.config.statuses),
  };
}

function messageDetailView(
  message: SandboxMessage,
  nowMs: number,
  context: ApiContext,
): Record<string, unknown> {
  return {
    ...messageView(message, nowMs, context),
    dialog_id: message.clientId,
    operator_id: message.operatorId,
  };
}

function setWebHook(request: ApiRequest, context: ApiContext): ApiAnswer {
  const url = request.body.url;
  context.state.webhookUrl = typeof url === 'string' && url !== '' ? url : null;
  return { data: { hook: context.state.webhookUrl } };
}

function addWebhook(request: ApiRequest, context: ApiContext): ApiAnswer {
  const { body } = request;
  if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url))
    throw new SandboxApiError(400, 'Validation failed', { url: ['must be an http(s) URL'] });
  const webhook = {
    id: context.state.webhooks.length + 1,
    url: body.url,
    name: typeof body.name === 'string' ? body.name : 'webhook',
    events: Array.isArray(body.events) ? body.events.map(String) : ['inbox'],
    channels: Array.isArray(body.channels)
      ? body.channels.map(Number)
      : SANDBOX_CHANNELS.map((channel) => channel.id),
    status: typeof body.status === 'string' ? body.status : 'enable',
  };
  context.state.webhooks.push(webhook);
  return { data: webhook };
}
