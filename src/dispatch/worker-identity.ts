import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/** lease_owner of this process: readable in the database (host and pid), unique across restarts. */
export function newWorkerIdentity(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}
