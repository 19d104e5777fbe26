import { Injectable } from '@nestjs/common';
import type { Role } from '../common/actor';
import { Database } from '../database/database';
import type { Sql } from '../database/sql';
import { uniqueViolation } from '../database/postgres-errors';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  /** False while the person has not set a password (an invitation is pending). */
  hasPassword: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserWithSecret extends User {
  passwordHash: string | null;
}

export interface UserChanges {
  name?: string;
  role?: Role;
  disabled?: boolean;
}

const USER_COLUMNS = `id, email, name, role, disabled_at IS NOT NULL AS disabled, password_hash IS NOT NULL AS "hasPassword",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** `users`: the people who sign in, their role, password hash and pending invitation. */
@Injectable()
export class UserStore {
  constructor(private readonly database: Database) {}

  /** Null when the e-mail is taken (case-insensitively). */
  async insert(
    user: { email: string; name: string; role: Role; passwordHash: string | null; inviteHash: string | null },
    inviteExpiresAt: Date | null,
  ): Promise<User | null> {
    try {
      const [created] = await this.database.sql<User>(
        `INSERT INTO users (email, name, role, password_hash, invite_token_hash, invite_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${USER_COLUMNS}`,
        [user.email, user.name, user.role, user.passwordHash, user.inviteHash, inviteExpiresAt],
      );
      return created;
    } catch (error) {
      if (uniqueViolation(error)) return null;
      throw error;
    }
  }

  async count(): Promise<number> {
    const [{ count }] = await this.database.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM users`,
    );
    return count;
  }

  async list(): Promise<User[]> {
    return this.database.sql<User>(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, email`);
  }

  async findById(id: string): Promise<User | null> {
    const [user] = await this.database.sql<User>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return user ?? null;
  }

  async findByEmailWithSecret(email: string): Promise<UserWithSecret | null> {
    const [user] = await this.database.sql<UserWithSecret>(
      `SELECT ${USER_COLUMNS}, password_hash AS "passwordHash" FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    return user ?? null;
  }

  /** The person an unexpired invitation belongs to. */
  async findByInvite(inviteHash: string, now: Date): Promise<User | null> {
    const [user] = await this.database.sql<User>(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE invite_token_hash = $1 AND invite_expires_at > $2 AND disabled_at IS NULL`,
      [inviteHash, now],
    );
    return user ?? null;
  }

  /** Pass a transaction's `sql` to change the person together with their sessions and tokens. */
  async update(id: string, changes: UserChanges, sql: Sql = this.database.sql): Promise<User | null> {
    const [user] = await sql<User>(
      `UPDATE users SET
         name = COALESCE($2, name),
         role = COALESCE($3, role),
         disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at
                            WHEN $4 THEN COALESCE(disabled_at, now()) ELSE NULL END,
         updated_at = now()
       WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      [id, changes.name ?? null, changes.role ?? null, changes.disabled ?? null],
    );
    return user ?? null;
  }

  /** Sets the password and ends any pending invitation. */
  async setPassword(id: string, passwordHash: string, sql: Sql = this.database.sql): Promise<void> {
    await sql(
      `UPDATE users SET password_hash = $2, invite_token_hash = NULL, invite_expires_at = NULL, updated_at = now()
       WHERE id = $1`,
      [id, passwordHash],
    );
  }

  /** Admins other than `exceptId` who can still sign in: the last one may not be removed or demoted. */
  async otherActiveAdmins(exceptId: string): Promise<number> {
    const [{ count }] = await this.database.sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1`,
      [exceptId],
    );
    return count;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.database.sql(`DELETE FROM users WHERE id = $1 RETURNING 1`, [id])).length > 0;
  }
}
