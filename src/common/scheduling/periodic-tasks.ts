import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

export interface PeriodicTaskSpec {
  /** Shown in logs when a round fails. */
  name: string;
  /** Pause between rounds (from configuration). */
  intervalMs: number;
  /**
   * One round. Returning `true` means "there is more to do": the next round starts at once instead
   * of after the interval. A round that throws is logged and the loop carries on.
   */
  run: () => Promise<boolean | void>;
}

export interface PeriodicTask {
  /** Stops waiting, lets the round in progress finish, and resolves when it has. */
  stop(): Promise<void>;
}

/**
 * The one way the service runs work on a timer: rounds never overlap (the next starts only after
 * the previous finished), the interval comes from configuration, and every task still running is
 * stopped at shutdown. Each pause is a timeout in @nestjs/schedule's SchedulerRegistry, named after
 * its task, so what is waiting can be listed there.
 */
@Injectable()
export class PeriodicTasks implements OnApplicationShutdown {
  private readonly logger = new Logger(PeriodicTasks.name);
  private readonly running = new Set<PeriodicTask>();
  private pauses = 0;

  constructor(private readonly registry: SchedulerRegistry) {}

  start(spec: PeriodicTaskSpec): PeriodicTask {
    const abort = new AbortController();
    const loop = this.loop(spec, abort.signal);
    const task: PeriodicTask = {
      stop: async () => {
        abort.abort();
        await loop;
        this.running.delete(task);
      },
    };
    this.running.add(task);
    return task;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.running].map((task) => task.stop()));
  }

  private async loop(spec: PeriodicTaskSpec, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const more = await spec.run().catch((error: unknown) => {
        this.logger.error(
          `${spec.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return false;
      });
      if (more === true) continue;
      await this.pause(spec, signal);
    }
  }

  /** Waits the interval, or less if the task is stopped meanwhile. */
  private pause(spec: PeriodicTaskSpec, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    const name = `${spec.name} #${(this.pauses += 1)}`;
    return new Promise((resolve) => {
      const end = () => {
        signal.removeEventListener('abort', end);
        if (this.registry.doesExist('timeout', name)) this.registry.deleteTimeout(name);
        resolve();
      };
      signal.addEventListener('abort', end, { once: true });
      this.registry.addTimeout(name, setTimeout(end, spec.intervalMs));
    });
  }
}
