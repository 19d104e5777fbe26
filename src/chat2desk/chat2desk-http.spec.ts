import { HttpCall, judgeResponse, redact } from './chat2desk-http';
import {
  Chat2DeskAmbiguousError,
  Chat2DeskAuthFailedError,
  Chat2DeskClientAlreadyExistsError,
  Chat2DeskRateLimitedError,
  Chat2DeskTransientError,
  Chat2DeskValidationError,
} from './chat2desk.errors';

const TOKEN = 'secret-token-123';
const send: HttpCall = { method: 'POST', path: '/v1/messages', endpoint: 'POST /v1/messages' };
const read: HttpCall = { method: 'GET', path: '/v1/clients', endpoint: 'GET /v1/clients' };

function judged(call: HttpCall, status: number, body: unknown): unknown {
  try {
    return judgeResponse(call, status, typeof body === 'string' ? body : JSON.stringify(body), TOKEN);
  } catch (error) {
    return error;
  }
}

describe('judgeResponse', () => {
  it('succeeds only with a 2xx and status success', () => {
    expect(
      judged(read, 200, { status: 'success', data: [1], meta: { total: 1, limit: 20, offset: 0 } }),
    ).toEqual({ data: [1], meta: { total: 1, limit: 20, offset: 0 } });
    expect(judged(read, 200, { data: [1] })).toBeInstanceOf(Chat2DeskValidationError);
    expect(judged(read, 500, { status: 'success', data: [] })).toBeInstanceOf(Chat2DeskTransientError);
  });

  it('reads the vendor texts before the HTTP status, wherever they are', () => {
    expect(judged(read, 200, { status: 'error', message: 'Number of API requests exceeded' })).toBeInstanceOf(
      Chat2DeskRateLimitedError,
    );
    expect(judged(read, 400, { status: 'error', data: { message: 'You need to auth' } })).toBeInstanceOf(
      Chat2DeskAuthFailedError,
    );
    expect(
      judged(read, 200, { status: 'success', data: { status: 'error', message: 'Token is not correct' } }),
    ).toBeInstanceOf(Chat2DeskAuthFailedError);
    const exists = judged(send, 200, {
      status: 'error',
      errors: { client: ['Client already exist', '{"id": 77}'] },
    });
    expect(exists).toBeInstanceOf(Chat2DeskClientAlreadyExistsError);
    expect((exists as Chat2DeskClientAlreadyExistsError).existingClientId).toBe(77);
  });

  it('tells a proxy error page from a cut-off success for writes', () => {
    const gateway = judged(send, 502, '<html>Bad Gateway</html>');
    expect(gateway).toBeInstanceOf(Chat2DeskTransientError);
    expect((gateway as Chat2DeskTransientError).mayHaveBeenProcessed).toBe(true);
    expect(judged(send, 200, '{"status":"succ')).toBeInstanceOf(Chat2DeskAmbiguousError);
    expect(judged(read, 200, '{"status":"succ')).toBeInstanceOf(Chat2DeskTransientError);
  });

  it('never lets the token through, even when the vendor echoes it', () => {
    const error = judged(read, 401, { status: 'error', message: `Token is not correct: ${TOKEN}` }) as Error;
    expect(error.message).not.toContain(TOKEN);
    const refused = judged(send, 400, { status: 'error', errors: { token: [`${TOKEN} is not valid here`] } });
    expect(refused).toBeInstanceOf(Chat2DeskValidationError);
    expect(JSON.stringify((refused as Chat2DeskValidationError).details)).not.toContain(TOKEN);
    expect(JSON.stringify((refused as Chat2DeskValidationError).fieldErrors)).not.toContain(TOKEN);
    expect(redact(`a ${TOKEN} b`, TOKEN)).toBe('a *** b');
  });
});
