import { formatChat2DeskDate, SANDBOX_CHANNELS } from './sandbox-fixtures';
import { StatusProgression } from './sandbox-options';
import { unitFor } from './seeded-random';

export interface SandboxClient {
  id: number;
  phone: string;
  name: string | null;
  assignedName: string | null;
  comment: string | null;
  extraComments: Record<string, string | null>;
  /** channel id → transports this client can be written through. */
  transports: Map<number, Set<string>>;
  createdAtMs: number;
  /** Before this instant a WhatsApp message breaks the new-client delay. */
  whatsappReadyAtMs: number;
}

export type MessageType = 'to_client' | 'from_client' | 'autoreply' | 'system';

export interface SandboxMessage {
  id: number;
  clientId: number;
  text: string;
  attachment: string | null;
  type: MessageType;
  transport: string;
  channelId: number;
  operatorId: number | null;
  createdAtMs: number;
}

export interface WhatsAppViolation {
  messageId: number;
  clientId: number;
  phone: string;
  sentAt: string;
  readyAt: string;
  earlyBySeconds: number;
}

export interface SandboxLedger {
  requestsByRoute: Record<string, number>;
  requestsTotal: number;
  /** Most requests counted in one calendar second. */
  busiestSecond: number;
  rateLimited: number;
  quotaRejected: number;
  violations: WhatsAppViolation[];
  messagesSent: number;
  /** Sends beyond the first of the same text to the same client. */
  duplicateSends: number;
  /** Injected faults that cost the caller a retry or a lookup: errors before or after, lost answers. */
  faultsInjected: number;
  messagesByClient: Record<number, number>;
}

/** The account's data with the indexes that keep each request O(1) (or O(page)). */
export class SandboxState {
  /** Chat2Desk never reuses message ids: a reset account continues after the last one it gave. */
  constructor(readonly firstMessageId = 1) {}

  messageById(id: number): SandboxMessage | undefined {
    return this.messages[id - this.firstMessageId];
  }

  /** The id the next message will get. */
  get nextMessageId(): number {
    return this.firstMessageId + this.messages.length;
  }

  readonly clients: SandboxClient[] = [];
  readonly clientsById = new Map<number, SandboxClient>();
  readonly clientsByPhone = new Map<string, SandboxClient>();
  /** Ordered by id; ids are dense from `firstMessageId`, so `messageById` is an index lookup. */
  readonly messages: SandboxMessage[] = [];
  readonly messagesByClient = new Map<number, SandboxMessage[]>();
  readonly toClientMessages: SandboxMessage[] = [];
  webhookUrl: string | null = null;
  readonly webhooks: Array<{
    id: number;
    url: string;
    name: string;
    events: string[];
    channels: number[];
    status: string;
  }> = [];
  requestsThisMonth = 0;

  readonly requestsByRoute: Record<string, number> = {};
  requestsTotal = 0;
  busiestSecond = 0;
  private currentSecond = -1;
  private currentSecondCount = 0;
  rateLimited = 0;
  quotaRejected = 0;
  readonly violations: WhatsAppViolation[] = [];
  private readonly sendsByClientAndText = new Map<string, number>();
  duplicateSends = 0;
  faultsInjected = 0;

  /** Counts one request into its calendar second; returns how many that second now holds. */
  countRequest(route: string, nowMs: number): number {
    this.requestsByRoute[route] = (this.requestsByRoute[route] ?? 0) + 1;
    this.requestsTotal += 1;
    const second = Math.floor(nowMs / 1000);
    if (second !== this.currentSecond) {
      this.currentSecond = second;
      this.currentSecondCount = 0;
    }
    this.currentSecondCount += 1;
    if (this.currentSecondCount > this.busiestSecond) this.busiestSecond = this.currentSecondCount;
    return this.currentSecondCount;
  }

  addClient(
    phone: string,
    transport: string,
    channelId: number,
    nowMs: number,
    whatsappDelayMs: number,
  ): SandboxClient {
    const client: SandboxClient = {
      id: this.clients.length + 1,
      phone,
      name: null,
      assignedName: null,
      comment: null,
      extraComments: {},
      transports: new Map(),
      createdAtMs: nowMs,
      whatsappReadyAtMs: 0,
    };
    this.clients.push(client);
    this.clientsById.set(client.id, client);
    this.clientsByPhone.set(phone, client);
    this.addTransport(client, transport, channelId, nowMs, whatsappDelayMs);
    return client;
  }

  /** The manual: a transport added to a client; WhatsApp starts the new-client delay. */
  addTransport(
    client: SandboxClient,
    transport: string,
    channelId: number,
    nowMs: number,
    whatsappDelayMs: number,
  ): void {
    const transports = client.transports.get(channelId) ?? new Set<string>();
    if (transport === 'whatsapp' && !transports.has('whatsapp'))
      client.whatsappReadyAtMs = nowMs + whatsappDelayMs;
    transports.add(transport);
    client.transports.set(channelId, transports);
  }

  addMessage(message: Omit<SandboxMessage, 'id'>): SandboxMessage {
    const stored: SandboxMessage = { ...message, id: this.nextMessageId };
    this.messages.push(stored);
    const ofClient = this.messagesByClient.get(stored.clientId) ?? [];
    ofClient.push(stored);
    this.messagesByClient.set(stored.clientId, ofClient);
    if (stored.type === 'to_client') this.recordSend(stored);
    return stored;
  }

  private recordSend(message: SandboxMessage): void {
    this.toClientMessages.push(message);
    const key = `${message.clientId}\u0000${message.text}`;
    const previous = this.sendsByClientAndText.get(key) ?? 0;
    if (previous > 0) this.duplicateSends += 1;
    this.sendsByClientAndText.set(key, previous + 1);
    const client = this.clientsById.get(message.clientId);
    if (client && message.transport === 'whatsapp' && message.createdAtMs < client.whatsappReadyAtMs) {
      this.violations.push({
        messageId: message.id,
        clientId: client.id,
        phone: client.phone,
        sentAt: new Date(message.createdAtMs).toISOString(),
        readyAt: new Date(client.whatsappReadyAtMs).toISOString(),
        earlyBySeconds: Math.ceil((client.whatsappReadyAtMs - message.createdAtMs) / 1000),
      });
    }
  }

  ledger(): SandboxLedger {
    const messagesByClient: Record<number, number> = {};
    for (const message of this.toClientMessages)
      messagesByClient[message.clientId] = (messagesByClient[message.clientId] ?? 0) + 1;
    return {
      requestsByRoute: { ...this.requestsByRoute },
      requestsTotal: this.requestsTotal,
      busiestSecond: this.busiestSecond,
      rateLimited: this.rateLimited,
      quotaRejected: this.quotaRejected,
      violations: [...this.violations],
      messagesSent: this.toClientMessages.length,
      duplicateSends: this.duplicateSends,
      faultsInjected: this.faultsInjected,
      messagesByClient,
    };
  }
}

/**
 * The delivery status of a message at `nowMs`, computed lazily from its id and age: the same seed
 * gives every message the same fate whatever the order of requests.
 */
export function recipientStatusAt(
  message: SandboxMessage,
  nowMs: number,
  seed: number,
  progression: StatusProgression,
): string | null {
  if (message.type !== 'to_client') return null;
  const age = nowMs - message.createdAtMs;
  if (age < progression.deliveredAfterMs) return 'sent';
  if (unitFor(seed, message.id, 1) < progression.failRate) {
    return unitFor(seed, message.id, 2) < 0.5 ? 'failed' : 'not delivered';
  }
  if (age >= progression.readAfterMs && unitFor(seed, message.id, 3) < progression.readRate) return 'read';
  return 'delivered';
}

export function clientView(client: SandboxClient): Record<string, unknown> {
  return {
    id: client.id,
    comment: client.comment,
    assigned_name: client.assignedName,
    phone: client.phone,
    name: client.name,
    avatar: null,
    region_id: null,
    country_id: client.phone.startsWith('7') ? 2 : 1,
    ...client.extraComments,
  };
}

export function clientDetailView(client: SandboxClient): Record<string, unknown> {
  const created = formatChat2DeskDate(client.createdAtMs);
  return { ...clientView(client), first_client_message: created, last_client_message: created };
}

export function clientTransportsView(
  client: SandboxClient,
): Array<{ channel_id: number; transports: string[] }> {
  return SANDBOX_CHANNELS.filter((channel) => client.transports.has(channel.id)).map((channel) => ({
    channel_id: channel.id,
    transports: [...client.transports.get(channel.id)!],
  }));
}
