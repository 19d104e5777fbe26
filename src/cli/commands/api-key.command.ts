import { Inject } from '@nestjs/common';
import { Command, Option } from 'nest-commander';
import { apiKeyPath, ensureStoredApiKey, storeNewApiKey } from '../../auth/api-key-store';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { CliCommand } from '../cli-command';
import { CliOptions, printResult } from '../cli-output';

interface ApiKeyOptions extends CliOptions {
  rotate?: boolean;
}

interface ApiKeyResult {
  apiKey: string;
  source: 'env' | 'file';
  path?: string;
  rotated: boolean;
}

@Command({ name: 'api-key', description: 'Print the API key of the zero-config start, or --rotate it' })
export class ApiKeyCommand extends CliCommand<ApiKeyOptions> {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  async execute(_params: string[], options: ApiKeyOptions): Promise<void> {
    printResult(options, this.resolve(options.rotate === true), describe);
  }

  @Option({
    flags: '--rotate',
    description: 'replace the stored key (running servers keep the old one until restarted)',
  })
  parseRotate(): boolean {
    return true;
  }

  private resolve(rotate: boolean): ApiKeyResult {
    const { apiKey, dataDir } = this.config;
    if (apiKey !== undefined) {
      if (rotate)
        throw new DomainError(
          'conflict',
          'api_key_from_env',
          'API_KEY is set in the environment: change it there',
        );
      return { apiKey, source: 'env', rotated: false };
    }
    const path = apiKeyPath(dataDir);
    if (rotate) return { apiKey: storeNewApiKey(dataDir), source: 'file', path, rotated: true };
    return { apiKey: ensureStoredApiKey(dataDir).key, source: 'file', path, rotated: false };
  }
}

function describe(result: ApiKeyResult): string {
  if (result.source === 'env') return `${result.apiKey}\n(from API_KEY)`;
  if (result.rotated)
    return `${result.apiKey}\n(new key stored in ${result.path}; restart running servers to use it)`;
  return `${result.apiKey}\n(stored in ${result.path})`;
}
