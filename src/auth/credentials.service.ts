import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Clock } from '../common/clock/clock';
import { Actor } from '../common/actor';
import { AppConfig, APP_CONFIG } from '../config/app-config';
import { constantTimeEquals } from './constant-time';
import { readCookie, SESSION_COOKIE, SessionTokens } from './session-token';

/** Decides who a request comes from: the API key as a Bearer token, or a dashboard session cookie. */
@Injectable()
export class CredentialsService {
  private readonly apiKey?: string;
  private readonly sessions?: SessionTokens;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly clock: Clock,
  ) {
    // No key configured means nobody can sign in: fail closed rather than open.
    this.apiKey = config.apiKey;
    this.sessions = config.apiKey ? new SessionTokens(config.apiKey) : undefined;
  }

  isApiKey(candidate: string): boolean {
    return this.apiKey !== undefined && constantTimeEquals(candidate, this.apiKey);
  }

  /** The actor behind a request's credentials, or undefined when it carries none that hold. */
  authenticate(request: Request): Actor | undefined {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    if (bearer !== undefined) return this.isApiKey(bearer) ? 'api-key' : undefined;
    const session = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (session !== undefined && this.sessions?.isValid(session, this.clock.nowMs())) return 'dashboard';
    return undefined;
  }

  issueSession(): { token: string; expiresAt: Date } {
    if (!this.sessions) throw new Error('No API key configured: sessions cannot be issued');
    return this.sessions.issue(this.clock.nowMs());
  }
}
