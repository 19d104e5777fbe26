import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * An integer JavaScript holds exactly (|n| ≤ 2^53 − 1). Use it instead of class-validator's IsInt,
 * which accepts 1e20 (it overflows a PostgreSQL bigint: a 500) and 9007199254740993 (JSON.parse
 * has already rounded it to another number). `src/architecture.spec.ts` keeps IsInt out of the code.
 */
export function IsSafeInt(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSafeInt',
      validator: {
        validate: (value: unknown) => Number.isSafeInteger(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be an integer number within ±9007199254740991 (a safe integer)`,
      },
    },
    options,
  );
}
