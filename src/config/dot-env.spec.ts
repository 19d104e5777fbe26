import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDotEnv } from './dot-env';

describe('loadDotEnv', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'c2d-dotenv-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a .env file when there is one; variables already set win', () => {
    const path = join(dir, '.env');
    writeFileSync(path, 'DOT_ENV_SPEC_FROM_FILE=from-file\nDOT_ENV_SPEC_ALREADY_SET=from-file\n');
    const env: NodeJS.ProcessEnv = { DOT_ENV_SPEC_ALREADY_SET: 'from-environment' };

    loadDotEnv(path, env);

    expect(env).toEqual({
      DOT_ENV_SPEC_FROM_FILE: 'from-file',
      DOT_ENV_SPEC_ALREADY_SET: 'from-environment',
    });
  });

  it('does nothing without a file', () => {
    const env: NodeJS.ProcessEnv = {};
    loadDotEnv(join(dir, '.env'), env);
    expect(env).toEqual({});
  });
});
