import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { Actor, Role } from '../common/actor';
import { Clock } from '../common/clock/clock';
import { DomainError, ForbiddenError, InvalidInputError, NotFoundError } from '../common/errors/domain-error';
import { Database } from '../database/database';
import { hashPassword, passwordMatches } from './passwords';
import { generateSessionToken, secretHash } from './secret-hash';
import { SessionStore } from './session.store';
import { User, UserChanges, UserStore } from './user.store';

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password?: string;
}

/** People: created by an admin (with a password, or an invitation shown once), changed, disabled, removed. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserStore,
    private readonly sessions: SessionStore,
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The person, and the invitation token when no password was given (shown once, stored hashed). */
  async create(input: NewUser, actor: Actor): Promise<{ user: User; inviteToken?: string }> {
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const inviteToken = passwordHash ? undefined : generateSessionToken();
    const user = await this.users.insert(
      {
        email: input.email,
        name: input.name,
        role: input.role,
        passwordHash,
        inviteHash: inviteToken ? secretHash(inviteToken) : null,
      },
      inviteToken ? new Date(this.clock.nowMs() + INVITE_TTL_MS) : null,
    );
    if (!user)
      throw new DomainError(
        'conflict',
        'user_email_taken',
        `A person with the e-mail ${input.email} already exists`,
        {
          email: input.email,
        },
      );
    await this.audit.record({
      actor,
      action: 'user.created',
      entityType: 'user',
      entityId: user.id,
      details: { email: user.email, role: user.role, invited: inviteToken !== undefined },
    });
    return { user, inviteToken };
  }

  list(): Promise<User[]> {
    return this.users.list();
  }

  async get(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError('User', id);
    return user;
  }

  /** Disabling a person or changing their role ends their sessions at once; their tokens follow the person. */
  async update(id: string, changes: UserChanges, actor: Actor): Promise<User> {
    const before = await this.get(id);
    const losesAdmin =
      before.role === 'admin' &&
      ((changes.role !== undefined && changes.role !== 'admin') || changes.disabled === true);
    if (losesAdmin) await this.assertAnotherAdmin(id);
    const user = await this.database.transaction(async (sql) => {
      const updated = await this.users.update(id, changes, sql);
      const roleChanged = changes.role !== undefined && changes.role !== before.role;
      if (roleChanged || changes.disabled === true) await this.sessions.endAllOf(id, sql);
      return updated;
    });
    if (!user) throw new NotFoundError('User', id);
    await this.audit.record({
      actor,
      action: changes.disabled === true ? 'user.disabled' : 'user.updated',
      entityType: 'user',
      entityId: id,
      details: { changes },
    });
    return user;
  }

  async remove(id: string, actor: Actor): Promise<void> {
    const user = await this.get(id);
    if (user.role === 'admin') await this.assertAnotherAdmin(id);
    await this.users.delete(id);
    await this.audit.record({
      actor,
      action: 'user.deleted',
      entityType: 'user',
      entityId: id,
      details: { email: user.email },
    });
  }

  /** Sets the password an invitation asked for; the invitation is then used up. */
  async acceptInvite(token: string, password: string): Promise<User> {
    const user = await this.users.findByInvite(secretHash(token), this.clock.now());
    if (!user)
      throw new DomainError(
        'invalid',
        'invite_invalid',
        'This invitation is unknown, already used or expired; ask an admin for a new one',
      );
    await this.users.setPassword(user.id, await hashPassword(password));
    await this.audit.record({
      actor: {
        kind: 'user',
        role: user.role,
        id: user.id,
        userId: user.id,
        name: `${user.name} <${user.email}>`,
      },
      action: 'user.invite_accepted',
      entityType: 'user',
      entityId: user.id,
    });
    return this.get(user.id);
  }

  /** A person changes their own password: every session of theirs ends (sign in again with the new one). */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    if (!actor.userId)
      throw new DomainError(
        'invalid',
        'password_needs_a_person',
        'Only a signed-in person has a password to change',
      );
    const user = await this.get(actor.userId);
    if (!(await this.verify(user.email, currentPassword)))
      throw new InvalidInputError('currentPassword', 'is not your current password');
    const passwordHash = await hashPassword(newPassword, 'newPassword');
    await this.database.transaction(async (sql) => {
      await this.users.setPassword(user.id, passwordHash, sql);
      await this.sessions.endAllOf(user.id, sql);
    });
    await this.audit.record({
      actor,
      action: 'user.password_changed',
      entityType: 'user',
      entityId: user.id,
    });
  }

  /** The person these credentials sign in, or undefined (wrong password, unknown or disabled account). */
  async verify(email: string, password: string): Promise<User | undefined> {
    const user = await this.users.findByEmailWithSecret(email);
    const matches = await passwordMatches(user?.passwordHash ?? null, password);
    if (!user || !matches || user.disabled) return undefined;
    return user;
  }

  hasPeople(): Promise<boolean> {
    return this.users.count().then((count) => count > 0);
  }

  private async assertAnotherAdmin(id: string): Promise<void> {
    if ((await this.users.otherActiveAdmins(id)) === 0)
      throw new ForbiddenError(
        'last_admin',
        'This is the last admin who can sign in; make another person admin first',
      );
  }
}
