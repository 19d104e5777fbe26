/**
 * Who did something, as the audit log records it: a caller with the API key, a signed-in dashboard
 * session, the command line, or the service itself (crons, automatic resume).
 */
export type Actor = 'api-key' | 'dashboard' | 'cli' | 'system';

export const ACTORS: readonly Actor[] = ['api-key', 'dashboard', 'cli', 'system'];
