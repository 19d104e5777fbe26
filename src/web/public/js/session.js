/**
 * Who is signed in (`GET /auth/session`, or the answer of `POST /auth/login`):
 * `{ actor: 'user' | 'api-key', role, user?: { id, name }, hasPeople }`. Pages ask `hasRole()` to
 * leave out what the role may not do; the API refuses it anyway.
 */
export const ROLES = ['viewer', 'manager', 'admin'];

let current;

export function currentSession() {
  return current;
}

export function setSession(session) {
  current = session;
}

export function isSignedIn() {
  return current !== undefined;
}

/** Whether the signed-in role includes `required` (viewer < manager < admin). */
export function hasRole(required) {
  return current !== undefined && ROLES.indexOf(current.role) >= ROLES.indexOf(required);
}

/** The roles up to one's own, e.g. for a personal token. */
export function rolesUpToMine() {
  return current ? ROLES.slice(0, ROLES.indexOf(current.role) + 1) : [];
}

/** A person's name as the API gives it ("Anna Petrova <anna@example.com>") without the e-mail. */
export function displayName(name) {
  return name.replace(/\s*<[^<>]*>$/, '');
}

/** Signed in with the service key before anybody was created: time to create the first admin. */
export function isFirstStart() {
  return current?.actor === 'api-key' && current.hasPeople === false;
}
