/**
 * Preloaded (`node -r`) into a worker process to move its wall clock by TEST_CLOCK_SKEW_MS: `Date.now()`
 * and `new Date()` run ahead (or behind) the machine's, as on an instance whose clock is off.
 */
const skewMs = Number(process.env.TEST_CLOCK_SKEW_MS ?? 0);
const RealDate = Date;

class SkewedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + skewMs);
    else super(...(args as [string | number | Date]));
  }

  static override now(): number {
    return RealDate.now() + skewMs;
  }
}

globalThis.Date = SkewedDate as DateConstructor;
