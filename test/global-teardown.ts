export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __TEST_POSTGRES__?: { stop(): Promise<void> } }).__TEST_POSTGRES__?.stop();
}
