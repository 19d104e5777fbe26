import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDotEnv } from './dot-env';

describe('loadDotEnv', () => {
  const names = ['DOT_ENV_SPEC_FROM_FILE', 'DOT_ENV_SPEC_ALREADY_SET'];
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'c2d-dotenv-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    for (const name of names) delete process.env[name];
  });

  it('loads a .env file when there is one; variables already set win', () => {
    const path = join(dir, '.env');
    writeFileSync(path, 'DOT_ENV_SPEC_FROM_FILE=from-file\nDOT_ENV_SPEC_ALREADY_SET=from-file\n');
    process.env.DOT_ENV_SPEC_ALREADY_SET = 'from-environment';

    loadDotEnv(path);

    expect(process.env.DOT_ENV_SPEC_FROM_FILE).toBe('from-file');
    expect(process.env.DOT_ENV_SPEC_ALREADY_SET).toBe('from-environment');
  });

  it('does nothing without a file', () => {
    expect(() => loadDotEnv(join(dir, '.env'))).not.toThrow();
    expect(process.env.DOT_ENV_SPEC_FROM_FILE).toBeUndefined();
  });
});
