import { request as httpRequest } from 'node:http';
import { createContactList } from '../../../test/support/campaign.factory';
import { createTestApp, TestApp } from '../../../test/support/test-app';
import { signWebhookBody } from '../../delivery/webhook/webhook-signature';

const SECRET = 'hostile-input-webhook-secret';

interface Answer {
  status: number;
  text: string;
}

/**
 * Inputs a tester sent to a running instance (issue 13). Each used to end in a 500 (or worse): each
 * must now be a 4xx whose message names the field, with no stack trace in the body.
 */
describe('hostile input gets a 4xx naming the field, never a 500 or a stack trace', () => {
  let testApp: TestApp;
  let listId: string;

  beforeAll(async () => {
    testApp = await createTestApp({ env: { CHAT2DESK_WEBHOOK_SECRET: SECRET } });
    listId = await createContactList(testApp.database.dataSource, [{ phone: '79160000001', name: 'Anna' }]);
  });

  afterAll(() => testApp?.close());

  async function send(
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const response = await fetch(`${testApp.url}${path}`, {
      method,
      headers: {
        ...testApp.auth,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  const campaign = (overrides: Record<string, unknown>) =>
    JSON.stringify({
      name: 'Promo',
      listId,
      text: 'Hi {{name}}',
      transport: 'sms',
      channelId: 1,
      ...overrides,
    });

  function expectRefused(answer: Answer, status: number, field: string | RegExp): void {
    expect({ status: answer.status, text: answer.text }).toEqual({ status, text: expect.any(String) });
    expect(answer.text).toMatch(typeof field === 'string' ? new RegExp(escape(field)) : field);
    // No stack trace, no file paths, no driver messages.
    expect(answer.text).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|\.js:\d+|Internal server error/);
  }

  it('a malformed session cookie (c2d_session=%)', async () => {
    const response = await fetch(`${testApp.url}/auth/session`, { headers: { Cookie: 'c2d_session=%' } });
    expectRefused({ status: response.status, text: await response.text() }, 400, 'c2d_session');
  });

  it('NUL in a list name', async () => {
    expectRefused(await send('POST', '/api/lists', JSON.stringify({ name: 'Base\u0000' })), 400, 'name');
  });

  it('NUL in a campaign text', async () => {
    expectRefused(await send('POST', '/api/campaigns', campaign({ text: 'Hi\u0000' })), 400, 'text');
  });

  it('NUL in a contact filter value and key', async () => {
    expectRefused(
      await send('POST', '/api/campaigns', campaign({ contactFilter: { city: 'Mos\u0000cow' } })),
      400,
      'contactFilter.city',
    );
    expectRefused(
      await send('POST', '/api/campaigns', campaign({ contactFilter: { 'ci\u0000ty': 'Moscow' } })),
      400,
      'contactFilter',
    );
  });

  it('NUL in a query string filter', async () => {
    const { body } = await testApp.call<{ id: string }>('POST', '/api/campaigns', JSON.parse(campaign({})));
    expectRefused(await send('GET', `/api/campaigns/${body.id}/recipients?reason=x%00y`), 400, 'reason');
  });

  it('NUL in a signed webhook status', async () => {
    const event = JSON.stringify({ event: 'outbox_status', message_id: 1, recipient_status: 'read\u0000' });
    const answer = await send('POST', '/api/webhooks/chat2desk', event, {
      'x-signature': signWebhookBody(event, SECRET),
    });
    expectRefused(answer, 400, 'recipient_status');
  });

  it('NUL in multipart import options and in the file name', async () => {
    const upload = async (fields: Record<string, string>, fileName: string) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob(['phone\n79160000002\n']), fileName);
      const response = await fetch(`${testApp.url}/api/lists/${listId}/imports`, {
        method: 'POST',
        headers: testApp.auth,
        body: form,
      });
      return { status: response.status, text: await response.text() };
    };
    expectRefused(await upload({ phoneColumn: 'pho\u0000ne' }, 'list.csv'), 400, 'phoneColumn');
    // A NUL in the part's header (the file name) is refused by busboy as a malformed header.
    expectRefused(await upload({}, 'li\u0000st.csv'), 400, 'file');
    expect(await testApp.database.dataSource.query(`SELECT id FROM import_uploads`)).toEqual([]);
  });

  it('a campaign id that is not a UUID, on every lifecycle action', async () => {
    for (const action of ['schedule', 'start', 'pause', 'resume', 'cancel', 'retry-failed']) {
      const answer = await send('POST', `/api/campaigns/not-a-uuid/${action}`, '{}');
      expectRefused(answer, 404, 'Campaign not-a-uuid was not found');
    }
  });

  it('offset ≥ 2^63 in paging', async () => {
    expectRefused(await send('GET', '/api/campaigns?offset=9223372036854775808'), 400, 'offset');
    expectRefused(
      await send('GET', `/api/lists/${listId}/contacts?offset=99999999999999999999`),
      400,
      'offset',
    );
    expectRefused(await send('GET', '/api/audit?offset=9223372036854775807'), 400, 'offset');
  });

  it('expiresAfterMinutes ≥ 2^31', async () => {
    expectRefused(
      await send('POST', '/api/campaigns', campaign({ expiresAfterMinutes: 2 ** 31 })),
      400,
      'expiresAfterMinutes',
    );
  });

  it('a 20-digit channelId, and one above 2^53 that JSON would round', async () => {
    expectRefused(
      await send(
        'POST',
        '/api/campaigns',
        campaign({}).replace('"channelId":1', '"channelId":12345678901234567890'),
      ),
      400,
      'channelId',
    );
    expectRefused(
      await send(
        'POST',
        '/api/campaigns',
        campaign({}).replace('"channelId":1', '"channelId":9007199254740993'),
      ),
      400,
      'channelId',
    );
  });

  it('multipart without a boundary', async () => {
    const answer = await send('POST', `/api/lists/${listId}/imports`, 'phone\n79160000002\n', {
      'content-type': 'multipart/form-data',
    });
    expectRefused(answer, 400, /boundary/);
  });

  it('a JSON body over the limit is 413', async () => {
    const answer = await send('POST', '/api/lists', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    expectRefused(answer, 413, 'body');
  });

  it('malformed JSON is 400', async () => {
    expectRefused(await send('POST', '/api/lists', '{"name": '), 400, 'body');
  });

  it('45,000-deep JSON nesting', async () => {
    const depth = 45_000;
    const deep = `{"name": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expectRefused(await send('POST', '/api/lists', deep), 400, 'body');
    // The webhook is public: the same parser guards it before the signature is even checked.
    const answer = await rawPost('/api/webhooks/chat2desk', deep);
    expectRefused(answer, 400, 'body');
  });

  /** Over node:http, so nothing (fetch) rewrites the request. */
  function rawPost(path: string, body: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        `${testApp.url}${path}`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
