/** PostgreSQL's SQLSTATE of a failed statement, from the pg driver's error or TypeORM's wrapper of it. */
export function postgresErrorCode(error: unknown): string | undefined {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  const found = typeof code === 'string' ? code : driverError?.code;
  return typeof found === 'string' ? found : undefined;
}

/** A UNIQUE constraint or index refused the row. */
export function uniqueViolation(error: unknown): boolean {
  return postgresErrorCode(error) === '23505';
}
