import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_LOG_PATHS } from './logging.module';

function captureLogger(): { logger: pino.Logger; lines: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ redact: { paths: REDACTED_LOG_PATHS } }, sink), lines: () => chunks.join('') };
}

describe('log redaction', () => {
  it('hides the Authorization header, cookies and token-like fields, keeping ids', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      { req: { headers: { authorization: 'Bearer c2d_live_key', cookie: 'c2d_session=abc' } } },
      'request',
    );
    logger.info(
      { campaignId: 'cmp-1', chat2desk: { token: 'vendor-token' }, apiKey: 'c2d_live_key' },
      'config',
    );
    logger.info({ request: { headers: { authorization: 'raw-vendor-token' } } }, 'outgoing');
    const output = lines();
    for (const secret of ['c2d_live_key', 'c2d_session=abc', 'vendor-token', 'raw-vendor-token'])
      expect(output).not.toContain(secret);
    expect(output).toContain('"campaignId":"cmp-1"');
  });
});
