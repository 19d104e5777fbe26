/** Short class name for last_error_class, e.g. `Chat2DeskValidationError`. */
export function errorClassOf(error: unknown): string {
  return error instanceof Error ? error.constructor.name : typeof error;
}

export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
