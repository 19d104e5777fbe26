import { DEFAULT_CHAT2DESK_API_URL, loadAppConfig } from './app-config';
import { ConfigurationError } from './env-reader';

describe('loadAppConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadAppConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.chat2desk.apiUrl).toBe(DEFAULT_CHAT2DESK_API_URL);
    expect(config.chat2desk.token).toBeUndefined();
    expect(config.whatsappNewClientDelaySeconds).toBe(420);
    expect(config.imports).toEqual({
      maxBytes: 200 * 1024 * 1024,
      concurrency: 2,
      leaseMs: 30_000,
      pollIntervalMs: 1_000,
    });
    expect(config.stopWords).toContain('СТОП');
    expect(config.webhookSignatureHeader).toBe('x-signature');
    expect(config.metricsSnapshotIntervalMs).toBe(15_000);
  });

  it('reads explicit values', () => {
    const config = loadAppConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/app',
      CHAT2DESK_TOKEN: 'abc',
      CHAT2DESK_MONTHLY_QUOTA: '1000',
      CHAT2DESK_RATE_LIMIT_PER_SECOND: '50',
      STOP_WORDS: 'stop, стоп',
      CHAT2DESK_WEBHOOK_SIGNATURE_HEADER: 'X-Chat2Desk-Signature',
    });
    expect(config.webhookSignatureHeader).toBe('x-chat2desk-signature');
    expect(config.port).toBe(8080);
    expect(config.chat2desk).toMatchObject({ token: 'abc', monthlyQuota: 1000, rateLimitPerSecond: 50 });
    expect(config.stopWords).toEqual(['STOP', 'СТОП']);
  });

  it('names every bad variable and what it accepts in one error', () => {
    let error: unknown;
    try {
      loadAppConfig({
        PORT: 'eighty',
        CHAT2DESK_API_URL: 'ftp://x',
        LOG_LEVEL: 'loud',
        SCHEDULER_ENABLED: 'maybe',
        METRICS_SNAPSHOT_INTERVAL_MS: '500',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('PORT: expected an integer from 0 to 65535, got "eighty"');
    expect(message).toContain('CHAT2DESK_API_URL: expected a http or https URL');
    expect(message).toContain(
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
    expect(message).toContain('SCHEDULER_ENABLED: expected true or false, got "maybe"');
    expect(message).toContain(
      'METRICS_SNAPSHOT_INTERVAL_MS: expected an integer from 1000 to 3600000, got "500"',
    );
  });

  it('keeps imports to at most half of the database pool', () => {
    expect(loadAppConfig({ DATABASE_POOL_SIZE: '2' }).imports.concurrency).toBe(1);
    expect(loadAppConfig({ DATABASE_POOL_SIZE: '40', IMPORT_CONCURRENCY: '20' }).imports.concurrency).toBe(
      20,
    );
    expect(() => loadAppConfig({ DATABASE_POOL_SIZE: '10', IMPORT_CONCURRENCY: '6' })).toThrow(
      'IMPORT_CONCURRENCY: expected an integer from 1 to 5, got "6"',
    );
  });

  it('never prints a database password in its error', () => {
    expect(() => loadAppConfig({ DATABASE_URL: 'mysql://user:secret@db/x' })).toThrow(
      /mysql:\/\/user:\*\*\*@db\/x/,
    );
  });
});
