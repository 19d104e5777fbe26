/** Static account data of the sandbox: what a small real Chat2Desk company would have. */

export type SandboxMode = 'disabled' | 'demo' | 'normal' | 'unlimited';

export const MONTHLY_LIMIT_BY_MODE: Record<SandboxMode, number> = {
  disabled: 0,
  demo: 1_000,
  normal: 50_000,
  unlimited: Number.POSITIVE_INFINITY,
};

export const API_MODES = [
  { name: 'disabled', description: 'API disabled' },
  { name: 'demo', description: '1000 requests per month' },
  { name: 'normal', description: '50000 requests per month' },
  { name: 'unlimited', description: 'unlimited requests per month' },
];

export interface SandboxChannel {
  id: number;
  name: string;
  phone: string;
  transports: string[];
}

export const SANDBOX_CHANNELS: SandboxChannel[] = [
  { id: 1, name: 'Main number', phone: '79217639603', transports: ['whatsapp', 'sms'] },
  { id: 2, name: 'Messengers', phone: '79006323538', transports: ['viber', 'telegram'] },
];

/** Transports `POST /v1/clients` may create a client for (the manual: WhatsApp, Viber, SMS). */
export const CREATABLE_TRANSPORTS = new Set(['whatsapp', 'viber', 'sms']);

export const SANDBOX_TEMPLATES = [
  {
    id: 1,
    name: 'Order ready',
    command: '/ready',
    text: 'Здравствуйте, {{name}}! Ваш заказ {{order_id}} готов к выдаче.',
    created: '2024-01-10T09:00:00 UTC',
  },
  {
    id: 2,
    name: 'Promo',
    command: '/promo',
    text: 'Hi {{name|friend}}, -20% this weekend with code {{code}}.',
    created: '2024-02-01T12:30:00 UTC',
  },
  {
    id: 3,
    name: 'Thanks',
    command: '/thanks',
    text: 'Спасибо, что выбрали нас!',
    created: '2024-03-15T08:15:00 UTC',
  },
];

export const SANDBOX_OPERATORS = [
  {
    id: 1,
    email: 'admin@example.com',
    phone: null,
    role: 'admin',
    online: true,
    offline_type: null,
    first_name: 'Anna',
    last_name: 'Admin',
    last_visit: '2024-05-01T10:00:00 UTC',
  },
  {
    id: 2,
    email: 'operator@example.com',
    phone: '15550001122',
    role: 'operator',
    online: false,
    offline_type: null,
    first_name: 'Oleg',
    last_name: 'Operator',
    last_visit: '2024-05-01T11:00:00 UTC',
  },
];

const TEXT_AND_MEDIA = { text: 'yes', image: 'yes', audio: 'no', pdf: 'yes', video: 'no', location: 'no' };

export const SANDBOX_TRANSPORTS = Object.fromEntries(
  ['whatsapp', 'viber', 'telegram', 'sms'].map((name) => [
    name,
    {
      from_client: { ...TEXT_AND_MEDIA, location: 'yes' },
      to_client: name === 'sms' ? { ...TEXT_AND_MEDIA, image: 'no', pdf: 'no' } : TEXT_AND_MEDIA,
    },
  ]),
);

/** Chat2Desk formats dates as `2016-01-11T19:45:05 UTC`. */
export function formatChat2DeskDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)} UTC`;
}
