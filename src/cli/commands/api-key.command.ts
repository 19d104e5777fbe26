import { Inject } from '@nestjs/common';
import { Command, Option } from 'nest-commander';
import { ApiTokenStore } from '../../auth/api-token.store';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig, APP_CONFIG } from '../../config/app-config';
import { CliCommand } from '../cli-command';
import { CliOptions, printResult } from '../cli-output';

interface ApiKeyOptions extends CliOptions {
  rotate?: boolean;
}

interface ApiKeyResult {
  /** Absent when the key is only in the database, where it is kept hashed. */
  apiKey?: string;
  source: 'env' | 'database';
  rotated: boolean;
}

@Command({
  name: 'api-key',
  description: 'Show where the API key comes from, or --rotate the database key (the old one stops at once)',
})
export class ApiKeyCommand extends CliCommand<ApiKeyOptions> {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: ApiTokenStore,
  ) {
    super();
  }

  async execute(_params: string[], options: ApiKeyOptions): Promise<void> {
    printResult(options, await this.resolve(options.rotate === true), describe);
  }

  @Option({
    flags: '--rotate',
    description: 'replace the zero-config key; every instance uses the new one at once',
  })
  parseRotate(): boolean {
    return true;
  }

  private async resolve(rotate: boolean): Promise<ApiKeyResult> {
    const { apiKey } = this.config;
    if (apiKey !== undefined) {
      if (rotate)
        throw new DomainError(
          'conflict',
          'api_key_from_env',
          'API_KEY is set in the environment: change it there',
        );
      return { apiKey, source: 'env', rotated: false };
    }
    if (rotate) return { apiKey: await this.tokens.rotateZeroConfig(), source: 'database', rotated: true };
    return { source: 'database', rotated: false };
  }
}

function describe(result: ApiKeyResult): string {
  if (result.source === 'env') return `${result.apiKey}\n(from API_KEY)`;
  if (result.rotated) return `${result.apiKey}\n(the new key; the old one no longer works on any instance)`;
  return 'The API key is kept hashed in the database: it was printed once, when it was generated.\nRun `api-key --rotate` for a new one (the old one stops working at once).';
}
