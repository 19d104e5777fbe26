import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Actor, SERVICE_KEY_ACTOR } from '../common/actor';
import { Clock } from '../common/clock/clock';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { ActiveToken, ApiTokenStore } from './api-token.store';
import { constantTimeEquals } from './constant-time';
import { generateSessionToken } from './secret-hash';
import { SessionOwner, SessionStore } from './session.store';
import { readCookie, SESSION_COOKIE, SESSION_TTL_MS } from './session-token';

/** How a request proved who it is; cookie-authenticated unsafe requests get the CSRF check. */
export interface Authenticated {
  actor: Actor;
  via: 'bearer' | 'cookie';
}

/**
 * Decides who a request comes from: an API key as a Bearer token (API_KEY from the environment, the
 * database's zero-config key, or a person's token, all kept hashed in `api_tokens`), or a dashboard
 * session cookie (a row in `sessions`). Everything lives in the database, so every instance behind
 * a balancer answers the same, and a disabled person is locked out everywhere at once.
 */
@Injectable()
export class CredentialsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly tokens: ApiTokenStore,
    private readonly sessions: SessionStore,
  ) {}

  /** The actor an API key or personal token stands for; undefined when it holds nothing. */
  async actorOfKey(candidate: string): Promise<Actor | undefined> {
    if (this.config.apiKey !== undefined && constantTimeEquals(candidate, this.config.apiKey))
      return SERVICE_KEY_ACTOR;
    const token = await this.tokens.findActive(candidate);
    return token && actorOfToken(token);
  }

  /** The bearer token a request carries, if any. */
  bearerOf(request: Request): string | undefined {
    return /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  }

  /** The actor behind a request's credentials, or undefined when it carries none that hold. */
  async authenticate(request: Request): Promise<Authenticated | undefined> {
    const bearer = this.bearerOf(request);
    if (bearer !== undefined) {
      const actor = await this.actorOfKey(bearer);
      return actor && { actor, via: 'bearer' };
    }
    const session = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (session === undefined) return undefined;
    const owner = await this.sessions.ownerOf(session, this.clock.now());
    return owner && { actor: actorOfSession(owner), via: 'cookie' };
  }

  /** A dashboard session for a person, or for the service key (`userId` absent). */
  async issueSession(actor: Actor): Promise<{ token: string; expiresAt: Date }> {
    const now = this.clock.now();
    await this.sessions.deleteExpired(now);
    const token = generateSessionToken();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await this.sessions.create(
      token,
      { actor: actor.kind === 'user' ? 'user' : 'api-key', role: actor.role, userId: actor.userId },
      expiresAt,
    );
    return { token, expiresAt };
  }

  /** Signs the request's session out on every instance (nothing to do without one, or with a garbled one). */
  async endSession(request: Request): Promise<void> {
    let session: string | undefined;
    try {
      session = readCookie(request.headers.cookie, SESSION_COOKIE);
    } catch {
      return; // not a token any session could have: signing out only clears the cookie
    }
    if (session !== undefined) await this.sessions.end(session);
  }
}

export function personName(user: { name: string; email: string }): string {
  return `${user.name} <${user.email}>`;
}

function actorOfToken(token: ActiveToken): Actor {
  if (!token.owner) return { ...SERVICE_KEY_ACTOR, id: token.id };
  return {
    kind: 'token',
    role: token.role,
    id: token.id,
    userId: token.owner.id,
    name: `token «${token.name}» of ${personName(token.owner)}`,
  };
}

function actorOfSession(owner: SessionOwner): Actor {
  if (!owner.user) return SERVICE_KEY_ACTOR;
  return {
    kind: 'user',
    role: owner.role,
    id: owner.user.id,
    userId: owner.user.id,
    name: personName(owner.user),
  };
}
