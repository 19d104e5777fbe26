/** lease_owner of this process (see worker-identity.ts). */
export const WORKER_IDENTITY = Symbol('WORKER_IDENTITY');
