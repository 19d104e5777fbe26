import { createTestApp, TestApp } from '../../test/support/test-app';

describe('/api/opt-outs', () => {
  let app: TestApp;
  const PHONE = '79161234567';

  beforeAll(async () => {
    app = await createTestApp();
    for (const name of ['Customers', 'Newsletter']) {
      await app.database.dataSource.query(
        `WITH list AS (INSERT INTO contact_lists (name) VALUES ($1) RETURNING id)
         INSERT INTO contacts (list_id, phone, name) SELECT id, $2, 'Иван' FROM list`,
        [name, PHONE],
      );
    }
  });
  afterAll(() => app?.close());

  const call = (method: string, path: string, body?: unknown) => app.call(method, path, body);

  const flaggedContacts = async () =>
    Number(
      (
        await app.database.dataSource.query(`SELECT count(*) FROM contacts WHERE phone = $1 AND opted_out`, [
          PHONE,
        ])
      )[0].count,
    );

  it('opts a phone out of every list, once, and records who did it', async () => {
    const first = await call('POST', '/api/opt-outs', { phone: `+${PHONE}`, reason: 'asked by phone' });
    expect(first).toEqual({
      status: 201,
      body: { phone: PHONE, created: true, contactsUpdated: 2, recipientsSkipped: 0 },
    });
    expect(await flaggedContacts()).toBe(2);

    const again = await call('POST', '/api/opt-outs', { phone: PHONE });
    expect(again.body).toEqual({ phone: PHONE, created: false, contactsUpdated: 0, recipientsSkipped: 0 });

    const shown = await call('GET', `/api/opt-outs/+${PHONE}`);
    expect(shown.body).toMatchObject({ phone: PHONE, source: 'manual', reason: 'asked by phone' });

    const audit = await app.call<{ items: Array<{ action: string }> }>(
      'GET',
      `/api/audit?entityType=phone&entityId=${PHONE}`,
    );
    expect(audit.body.items.map((event: { action: string }) => event.action)).toContain('contact.opted_out');
  });

  it('opts the phone back in; a second time is a 404', async () => {
    expect((await call('DELETE', `/api/opt-outs/${PHONE}`)).status).toBe(204);
    expect(await flaggedContacts()).toBe(0);
    expect((await call('GET', `/api/opt-outs/${PHONE}`)).status).toBe(404);
    expect((await call('DELETE', `/api/opt-outs/${PHONE}`)).status).toBe(404);
  });

  it('names the field and the fix for a phone that is not E.164', async () => {
    const reply = await app.call<{ message: unknown }>('POST', '/api/opt-outs', {
      phone: '8 (916) 123-45-67',
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body.message)).toContain('phone must be E.164 digits, e.g. +79161234567');
    expect((await call('POST', '/api/opt-outs', { phone: PHONE, extra: 1 })).status).toBe(400);
  });

  it('needs the API key', async () => {
    const response = await fetch(`${app.url}/api/opt-outs/${PHONE}`);
    expect(response.status).toBe(401);
  });
});
