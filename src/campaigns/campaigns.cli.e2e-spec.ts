import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from '../../test/support/test-database';
import { ExitCode } from '../cli/exit-codes';
import { RunningSandbox, startSandboxServer } from '../sandbox/sandbox-server';
import { createContactList } from '../../test/support/campaign.factory';

const ROOT = join(__dirname, '..', '..');

/** `npm run cli -- campaigns …` in a child process, on a migrated database and a sandbox. */
describe('campaigns CLI', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    [database, sandbox] = await Promise.all([createTestDatabase(), startSandboxServer({ port: 0 })]);
  });

  afterAll(async () => {
    await database?.drop();
    await sandbox?.close();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  function cli(...args: string[]): Promise<{ code: number; json: any }> {
    const env = {
      ...process.env,
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      CHAT2DESK_API_URL: sandbox.url,
      CHAT2DESK_TOKEN: sandbox.token,
      API_KEY: 'cli-test-key-0123456789',
    };
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', 'campaigns', ...args, '--json'],
        { cwd: ROOT, env, timeout: 120_000 },
        (error, stdout) =>
          resolve({ code: error ? Number(error.code) : 0, json: stdout ? JSON.parse(stdout) : undefined }),
      );
    });
  }

  it('creates, schedules, refuses a disallowed transition with exit 4, and lists', async () => {
    const listId = await createContactList(database.dataSource, [
      { phone: '79190000001', name: 'Anna', attributes: { city: 'Moscow' } },
    ]);
    const created = await cli(
      'create',
      '--name',
      'From CLI',
      '--list',
      listId,
      '--text',
      'Hi {{name}}',
      '--transport',
      'sms',
      '--channel',
      '1',
      '--filter',
      'city=Moscow',
    );
    expect(created).toMatchObject({ code: ExitCode.Ok, json: { state: 'draft' } });

    const bad = await cli(
      'create',
      '--name',
      'Bad',
      '--list',
      listId,
      '--text',
      'Hi',
      '--transport',
      'pigeon',
      '--channel',
      '1',
    );
    expect(bad).toMatchObject({ code: ExitCode.Usage, json: { error: { details: { field: 'transport' } } } });

    const tomorrow = new Date(Math.floor(Date.now() / 1000) * 1000 + 86_400_000).toISOString();
    const scheduled = await cli('schedule', created.json.id, '--at', tomorrow);
    expect(scheduled).toMatchObject({
      code: ExitCode.Ok,
      json: { state: 'scheduled', scheduledAt: tomorrow, contactFilter: { city: 'Moscow' } },
    });

    const paused = await cli('pause', created.json.id);
    expect(paused).toMatchObject({
      code: ExitCode.Conflict,
      json: { error: { code: 'campaign_invalid_transition' } },
    });

    const listed = await cli('list', '--state', 'scheduled');
    expect(listed.json.items.map((campaign: { name: string }) => campaign.name)).toEqual(['From CLI']);
  }, 300_000);
});
