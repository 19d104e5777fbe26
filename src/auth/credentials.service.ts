import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Actor } from '../common/actor';
import { Clock } from '../common/clock/clock';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { ApiTokenStore } from './api-token.store';
import { constantTimeEquals } from './constant-time';
import { generateSessionToken } from './secret-hash';
import { SessionStore } from './session.store';
import { readCookie, SESSION_COOKIE, SESSION_TTL_MS } from './session-token';

/**
 * Decides who a request comes from: an API key as a Bearer token (API_KEY from the environment, or
 * a key kept hashed in `api_tokens`), or a dashboard session cookie (a row in `sessions`). Both live
 * in the database, so every instance behind a balancer answers the same.
 */
@Injectable()
export class CredentialsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly tokens: ApiTokenStore,
    private readonly sessions: SessionStore,
  ) {}

  async isApiKey(candidate: string): Promise<boolean> {
    if (this.config.apiKey !== undefined && constantTimeEquals(candidate, this.config.apiKey)) return true;
    return (await this.tokens.findActive(candidate)) !== undefined;
  }

  /** The actor behind a request's credentials, or undefined when it carries none that hold. */
  async authenticate(request: Request): Promise<Actor | undefined> {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    if (bearer !== undefined) return (await this.isApiKey(bearer)) ? 'api-key' : undefined;
    const session = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (session === undefined) return undefined;
    return (await this.sessions.actorOf(session, this.clock.now())) === 'dashboard' ? 'dashboard' : undefined;
  }

  async issueSession(): Promise<{ token: string; expiresAt: Date }> {
    const now = this.clock.now();
    await this.sessions.deleteExpired(now);
    const token = generateSessionToken();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await this.sessions.create(token, 'dashboard', expiresAt);
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
