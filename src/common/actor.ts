/** What a person or credential may do; each role includes the ones below it. */
export const ROLES = ['viewer', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** The lower of two roles: a token never does more than its owner may. */
export function lowerRole(a: Role, b: Role): Role {
  return roleAtLeast(a, b) ? b : a;
}

/**
 * How the actor authenticated: a person (dashboard session), a person's API token, the service
 * key (API_KEY or the database's zero-config key), the command line, or the service itself.
 */
export const ACTOR_KINDS = ['user', 'token', 'api-key', 'cli', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** Who did something, with the role they did it with; the audit log records kind, id and name. */
export interface Actor {
  kind: ActorKind;
  role: Role;
  /** The person's id (kind user) or the token's id (kind token). */
  id?: string;
  /** What the audit log shows: "Анна Петрова <anna@example.com>", a token's name and owner, or API_KEY. */
  name?: string;
  /** The person behind a session or a personal token. */
  userId?: string;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', role: 'admin', name: 'system' };
export const CLI_ACTOR: Actor = { kind: 'cli', role: 'admin', name: 'command line' };
export const SERVICE_KEY_ACTOR: Actor = { kind: 'api-key', role: 'admin', name: 'API key' };
