type Holder = { __TEST_POSTGRES__?: { stop(): Promise<void> } };

/** Stops the embedded server once, whichever project's teardown comes first. */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as Holder;
  const postgres = holder.__TEST_POSTGRES__;
  holder.__TEST_POSTGRES__ = undefined;
  await postgres?.stop();
}
