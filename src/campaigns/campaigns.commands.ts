import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { CLI_ACTOR, CliCommand } from '../cli/cli-command';
import { CliOptions, printResult } from '../cli/cli-output';
import { InvalidInputError } from '../common/errors/domain-error';
import type { CampaignState } from '../common/domain';
import { CampaignStore } from './campaign.store';
import { CampaignsService } from './campaigns.service';
import { CampaignResponse } from './dto/campaign-response';
import { CreateCampaignDto } from './dto/campaign.dto';
import { CampaignForecastService } from './forecast/campaign-forecast.service';
import { CampaignLifecycleService } from './lifecycle/campaign-lifecycle.service';
import { DoctorCommand } from './doctor.command';

function describe(campaign: CampaignResponse): string {
  const { counts } = campaign;
  const reason = campaign.stateReason ? ` (${campaign.stateReason})` : '';
  const when = campaign.scheduledAt ? `, scheduled ${campaign.scheduledAt.toISOString()}` : '';
  return (
    `${campaign.id}  ${campaign.name}  ${campaign.state}${reason}${when}\n` +
    `  ${counts.total} recipients: ${counts.pending} pending, ${counts.waiting} waiting, ${counts.sending} sending, ${counts.sent} sent, ` +
    `${counts.delivered} delivered, ${counts.read} read, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.expired} expired`
  );
}

interface ListOptions extends CliOptions {
  state?: CampaignState;
}

@SubCommand({ name: 'list', description: 'List campaigns, newest first' })
export class ListCampaignsCommand extends CliCommand<ListOptions> {
  constructor(private readonly campaigns: CampaignsService) {
    super();
  }

  async execute(_params: string[], options: ListOptions): Promise<void> {
    const page = await this.campaigns.list({ state: options.state, limit: 500, offset: 0 });
    printResult(options, page, (data) =>
      data.items.length === 0 ? 'No campaigns' : data.items.map(describe).join('\n'),
    );
  }

  @Option({ flags: '--state <state>', description: 'only campaigns in this state' })
  parseState(value: string): string {
    return value;
  }
}

@SubCommand({
  name: 'show',
  arguments: '<campaign>',
  description: 'A campaign with its recipient counts and forecast',
})
export class ShowCampaignCommand extends CliCommand {
  constructor(private readonly campaigns: CampaignsService) {
    super();
  }

  async execute([id]: string[], options: CliOptions): Promise<void> {
    printResult(options, await this.campaigns.get(id), describe);
  }
}

interface CreateOptions extends CliOptions {
  name?: string;
  list?: string;
  text?: string;
  template?: string;
  transport?: string;
  channel?: string;
  at?: string;
  timezone?: string;
  cron?: string;
  window?: string;
  windowTimezone?: string;
  expiresAfter?: string;
  frequencyCap?: string;
  filter?: Record<string, string>;
  allowPartial?: boolean;
}

@SubCommand({ name: 'create', description: 'Create a draft campaign' })
export class CreateCampaignCommand extends CliCommand<CreateOptions> {
  constructor(private readonly campaigns: CampaignsService) {
    super();
  }

  async execute(_params: string[], options: CreateOptions): Promise<void> {
    const input = await toCreateDto(options);
    const campaign = await this.campaigns.create(input, CLI_ACTOR);
    printResult(
      options,
      { id: campaign.id, state: campaign.state },
      (data) => `Created campaign ${data.id} (${data.state})`,
    );
  }

  @Option({ flags: '--name <name>', required: true })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--list <listId>', required: true, description: 'contact list id' })
  parseList(value: string): string {
    return value;
  }

  @Option({ flags: '--text <text>', description: 'message with {{variables}}' })
  parseText(value: string): string {
    return value;
  }

  @Option({ flags: '--template <templateId>', description: 'Chat2Desk template id, instead of --text' })
  parseTemplate(value: string): string {
    return value;
  }

  @Option({
    flags: '--transport <transport>',
    required: true,
    description: 'whatsapp | viber | telegram | sms',
  })
  parseTransport(value: string): string {
    return value;
  }

  @Option({ flags: '--channel <channelId>', required: true })
  parseChannel(value: string): string {
    return value;
  }

  @Option({ flags: '--at <datetime>', description: 'scheduledAt, e.g. 2026-12-01T10:00 (in --timezone)' })
  parseAt(value: string): string {
    return value;
  }

  @Option({ flags: '--timezone <iana>', description: 'e.g. Europe/Moscow (default UTC)' })
  parseTimezone(value: string): string {
    return value;
  }

  @Option({ flags: '--cron <expression>', description: 'recurrence, e.g. "0 10 * * 1"' })
  parseCron(value: string): string {
    return value;
  }

  @Option({ flags: '--window <start-end>', description: 'send window, e.g. 10:00-20:00' })
  parseWindow(value: string): string {
    return value;
  }

  @Option({ flags: '--window-timezone <which>', description: 'recipient (default) | campaign' })
  parseWindowTimezone(value: string): string {
    return value;
  }

  @Option({ flags: '--expires-after <minutes>' })
  parseExpiresAfter(value: string): string {
    return value;
  }

  @Option({
    flags: '--frequency-cap <hours>',
    description: 'skip contacts who got any campaign message in the last N hours',
  })
  parseFrequencyCap(value: string): string {
    return value;
  }

  @Option({ flags: '--filter <key=value>', description: 'attribute equality; repeat for several' })
  parseFilter(value: string, previous: Record<string, string> = {}): Record<string, string> {
    const at = value.indexOf('=');
    if (at <= 0)
      throw new InvalidInputError('filter', `"${value}" is not key=value, e.g. --filter city=Moscow`);
    return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
  }

  @Option({ flags: '--allow-partial', description: 'accept a forecast over the remaining quota' })
  parseAllowPartial(): boolean {
    return true;
  }
}

/** CLI flags → the same DTO the API validates, so both refuse the same input the same way. */
async function toCreateDto(options: CreateOptions): Promise<CreateCampaignDto> {
  const [start, end] = options.window?.split('-') ?? [];
  const plain = {
    name: options.name,
    listId: options.list,
    text: options.text,
    templateId: options.template === undefined ? undefined : Number(options.template),
    transport: options.transport,
    channelId: options.channel === undefined ? undefined : Number(options.channel),
    scheduledAt: options.at,
    timezone: options.timezone,
    cron: options.cron,
    sendWindow: options.window ? { start, end, timezone: options.windowTimezone ?? 'recipient' } : undefined,
    expiresAfterMinutes: options.expiresAfter === undefined ? undefined : Number(options.expiresAfter),
    frequencyCapHours: options.frequencyCap === undefined ? undefined : Number(options.frequencyCap),
    contactFilter: options.filter,
    allowPartial: options.allowPartial,
  };
  const dto = plainToInstance(CreateCampaignDto, JSON.parse(JSON.stringify(plain)) as object);
  const [error] = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (error) {
    const constraint =
      Object.values(error.constraints ?? {})[0] ??
      Object.values(error.children?.[0]?.constraints ?? {})[0] ??
      'is invalid';
    throw new InvalidInputError(error.property, constraint);
  }
  return dto;
}

interface LaunchOptions extends CliOptions {
  at?: string;
  allowPartial?: boolean;
}

@SubCommand({
  name: 'schedule',
  arguments: '<campaign>',
  description: 'Schedule a draft (refused when the forecast exceeds the quota, unless --allow-partial)',
})
export class ScheduleCampaignCommand extends CliCommand<LaunchOptions> {
  constructor(
    private readonly lifecycle: CampaignLifecycleService,
    private readonly campaigns: CampaignsService,
  ) {
    super();
  }

  async execute([id]: string[], options: LaunchOptions): Promise<void> {
    await this.lifecycle.schedule(
      id,
      { scheduledAt: options.at, allowPartial: options.allowPartial },
      CLI_ACTOR,
    );
    printResult(options, await this.campaigns.get(id), describe);
  }

  @Option({ flags: '--at <datetime>', description: "overrides the campaign's scheduledAt" })
  parseAt(value: string): string {
    return value;
  }

  @Option({ flags: '--allow-partial' })
  parseAllowPartial(): boolean {
    return true;
  }
}

@SubCommand({ name: 'start', arguments: '<campaign>', description: 'Run now' })
export class StartCampaignCommand extends CliCommand<LaunchOptions> {
  constructor(
    private readonly lifecycle: CampaignLifecycleService,
    private readonly campaigns: CampaignsService,
  ) {
    super();
  }

  async execute([id]: string[], options: LaunchOptions): Promise<void> {
    await this.lifecycle.start(id, { allowPartial: options.allowPartial }, CLI_ACTOR);
    printResult(options, await this.campaigns.get(id), describe);
  }

  @Option({ flags: '--allow-partial' })
  parseAllowPartial(): boolean {
    return true;
  }
}

/** pause, resume, cancel, retry: one argument, one lifecycle call. @Injectable emits the constructor's types for the subclasses. */
@Injectable()
abstract class SimpleTransitionCommand extends CliCommand {
  constructor(
    protected readonly lifecycle: CampaignLifecycleService,
    private readonly campaigns: CampaignsService,
  ) {
    super();
  }

  protected abstract apply(id: string): Promise<unknown>;

  async execute([id]: string[], options: CliOptions): Promise<void> {
    await this.apply(id);
    printResult(options, await this.campaigns.get(id), describe);
  }
}

@SubCommand({ name: 'pause', arguments: '<campaign>', description: 'Pause a running campaign' })
export class PauseCampaignCommand extends SimpleTransitionCommand {
  protected apply(id: string): Promise<unknown> {
    return this.lifecycle.pause(id, CLI_ACTOR);
  }
}

@SubCommand({
  name: 'resume',
  arguments: '<campaign>',
  description: 'Resume a paused campaign, or one failed for credentials once the token is fixed',
})
export class ResumeCampaignCommand extends SimpleTransitionCommand {
  protected apply(id: string): Promise<unknown> {
    return this.lifecycle.resume(id, CLI_ACTOR);
  }
}

@SubCommand({ name: 'cancel', arguments: '<campaign>', description: 'Cancel; unsent recipients are skipped' })
export class CancelCampaignCommand extends SimpleTransitionCommand {
  protected apply(id: string): Promise<unknown> {
    return this.lifecycle.cancel(id, CLI_ACTOR);
  }
}

@SubCommand({ name: 'retry', arguments: '<campaign>', description: 'Give failed recipients another attempt' })
export class RetryFailedCommand extends SimpleTransitionCommand {
  protected apply(id: string): Promise<unknown> {
    return this.lifecycle.retryFailed(id, CLI_ACTOR);
  }
}

@SubCommand({
  name: 'forecast',
  arguments: '<campaign>',
  description: 'Requests needed vs the quota left this month',
})
export class ForecastCampaignCommand extends CliCommand {
  constructor(
    private readonly forecasts: CampaignForecastService,
    private readonly campaigns: CampaignStore,
  ) {
    super();
  }

  async execute([id]: string[], options: CliOptions): Promise<void> {
    const forecast = await this.forecasts.forecast(await this.campaigns.get(id));
    printResult(options, forecast, (data) => `${data.fits ? 'fits' : 'does NOT fit'}: ${data.message}`);
  }
}

const SUBCOMMANDS = [
  ListCampaignsCommand,
  ShowCampaignCommand,
  CreateCampaignCommand,
  ScheduleCampaignCommand,
  StartCampaignCommand,
  PauseCampaignCommand,
  ResumeCampaignCommand,
  CancelCampaignCommand,
  RetryFailedCommand,
  ForecastCampaignCommand,
];

@Command({
  name: 'campaigns',
  description: 'Create, schedule and control campaigns',
  subCommands: SUBCOMMANDS,
})
export class CampaignsCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}

export const CAMPAIGNS_COMMANDS = [CampaignsCommand, ...SUBCOMMANDS, DoctorCommand];
