import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor, Role, roleAtLeast } from '../common/actor';
import { DomainError, NotFoundError } from '../common/errors/domain-error';
import { ApiTokenStore, PersonalToken } from './api-token.store';

/** Personal API tokens: a person's own credentials for scripts, with a role no higher than theirs. */
@Injectable()
export class TokensService {
  constructor(
    private readonly tokens: ApiTokenStore,
    private readonly audit: AuditService,
  ) {}

  async create(
    actor: Actor,
    name: string,
    role: Role = actor.role,
  ): Promise<PersonalToken & { token: string }> {
    const userId = this.personOf(actor);
    if (!roleAtLeast(actor.role, role))
      throw new DomainError(
        'invalid',
        'token_role_too_high',
        `role: a token can have at most your own role (${actor.role})`,
        {
          field: 'role',
        },
      );
    const created = await this.tokens.createPersonal(userId, name, role);
    await this.audit.record({
      actor,
      action: 'token.created',
      entityType: 'token',
      entityId: created.id,
      details: { name, role },
    });
    return created;
  }

  /** An admin sees everyone's tokens; anyone else their own. */
  list(actor: Actor): Promise<PersonalToken[]> {
    return this.tokens.listPersonal(actor.role === 'admin' ? undefined : this.personOf(actor));
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    const owner = actor.role === 'admin' ? undefined : this.personOf(actor);
    if (!(await this.tokens.revokePersonal(id, owner))) throw new NotFoundError('Token', id);
    await this.audit.record({ actor, action: 'token.revoked', entityType: 'token', entityId: id });
  }

  private personOf(actor: Actor): string {
    if (actor.userId) return actor.userId;
    throw new DomainError(
      'invalid',
      'personal_tokens_need_a_person',
      'Personal tokens belong to a person: sign in with your e-mail and password to manage yours',
    );
  }
}
