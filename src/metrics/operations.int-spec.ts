import request from 'supertest';
import { createTestApp, TestApp } from '../../test/support/test-app';
import { MetricSnapshotJob } from './metric-snapshot.job';
import { MetricsService } from './metrics.service';

describe('operations surface over HTTP (real app)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { CHAT2DESK_MONTHLY_QUOTA: '1000', CHAT2DESK_QUOTA_RESERVE: '50' } });
  });
  afterAll(() => t.close());

  it('serves the OpenAPI document with its paths and the bearer scheme, to signed-in callers only', async () => {
    await request(t.url).get('/api/docs-json').expect(401);
    const document = await request(t.url).get('/api/docs-json').set(t.auth).expect(200);
    expect(document.body.info.title).toBe('chat2desk-campaigns');
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining(['/auth/login', '/api/audit', '/metrics']),
    );
    expect(document.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ui = await request(t.url).get('/api/docs').set(t.auth).redirects(1).expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('exposes the Prometheus metrics other modules feed, behind the API key', async () => {
    const metrics = t.app.get(MetricsService);
    metrics.recordChat2DeskRequest('POST /v1/messages', 'success');
    metrics.observeRateLimiterWait(0.2);
    metrics.addImportRows('imported', 1000);
    metrics.setImportRowsPerSecond(85_000);
    // The loops are off in tests: the snapshot round the metrics-snapshot task would run.
    expect(await t.app.get(MetricSnapshotJob).refreshIfDue()).toBe('computed');
    await request(t.url).get('/metrics').expect(401);
    const scrape = await request(t.url).get('/metrics').set(t.auth).expect(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain/);
    expect(scrape.text).toContain(
      'chat2desk_requests_total{endpoint="POST /v1/messages",outcome="success"} 1',
    );
    // limit 1000 - reserve 50 - the few requests the app's boot check spent
    const quotaRemaining = Number(/^quota_remaining (\d+)$/m.exec(scrape.text)?.[1]);
    expect(quotaRemaining).toBeGreaterThan(900);
    expect(quotaRemaining).toBeLessThanOrEqual(950);
    expect(scrape.text).toMatch(/^rate_limiter_wait_seconds_count [1-9]\d*$/m); // ours, plus the boot check's
    expect(scrape.text).toContain('import_rows_total{result="imported"} 1000');
    expect(scrape.text).toContain('import_rows_per_second 85000');
    expect(scrape.text).toContain('# TYPE recipients_by_state gauge');
    expect(scrape.text).toMatch(/^metrics_snapshot_age_seconds \d+(\.\d+)?$/m);
    expect(scrape.text).toContain('process_cpu_user_seconds_total');
  });

  it('tags every response with a request id, keeping a sane one the caller sent', async () => {
    const minted = await request(t.url).get('/auth/session').set(t.auth).expect(200);
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await request(t.url)
      .get('/auth/session')
      .set(t.auth)
      .set('X-Request-Id', 'trace-42')
      .expect(200);
    expect(kept.headers['x-request-id']).toBe('trace-42');
  });
});
