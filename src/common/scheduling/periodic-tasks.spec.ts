import { SchedulerRegistry } from '@nestjs/schedule';
import { waitFor } from '../../../test/support/wait-for';
import { PeriodicTasks } from './periodic-tasks';

describe('PeriodicTasks', () => {
  let tasks: PeriodicTasks;
  let registry: SchedulerRegistry;

  beforeEach(() => {
    registry = new SchedulerRegistry();
    tasks = new PeriodicTasks(registry);
  });

  afterEach(() => tasks.onApplicationShutdown());

  it('never overlaps rounds, even when a round outlasts the interval', async () => {
    let active = 0;
    let maxActive = 0;
    let rounds = 0;
    let release!: () => void;
    const task = tasks.start({
      name: 'slow',
      intervalMs: 1,
      run: async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        rounds += 1;
        if (rounds === 1) await new Promise<void>((resolve) => (release = resolve));
        active -= 1;
      },
    });
    await waitFor(() => Promise.resolve(release !== undefined), Boolean, 5_000, 5);
    release();
    await waitFor(
      () => Promise.resolve(rounds),
      (count) => count >= 3,
      5_000,
      5,
    );
    await task.stop();
    expect(maxActive).toBe(1);
  });

  it('starts the next round at once while a round reports more work, then waits the interval', async () => {
    let rounds = 0;
    tasks.start({ name: 'backlog', intervalMs: 60_000, run: async () => (rounds += 1) < 3 });
    await waitFor(
      () => Promise.resolve(rounds),
      (count) => count === 3,
      5_000,
      5,
    );
    // Waiting now: the pause is visible in the scheduler registry under the task's name.
    await waitFor(
      () => Promise.resolve(registry.getTimeouts()),
      (names) => names.some((name) => name.startsWith('backlog #')),
      5_000,
      5,
    );
    expect(rounds).toBe(3);
  });

  it('carries on after a failing round', async () => {
    let rounds = 0;
    tasks.start({
      name: 'flaky',
      intervalMs: 1,
      run: async () => {
        rounds += 1;
        if (rounds === 1) throw new Error('transient');
      },
    });
    await waitFor(
      () => Promise.resolve(rounds),
      (count) => count >= 2,
      5_000,
      5,
    );
  });

  it('stops during a long pause without waiting it out, and lets the round in progress finish', async () => {
    let finished = 0;
    const task = tasks.start({
      name: 'idle',
      intervalMs: 3_600_000,
      run: async () => {
        finished += 1;
      },
    });
    await waitFor(
      () => Promise.resolve(finished),
      (count) => count === 1,
      5_000,
      5,
    );
    await task.stop();
    expect(registry.getTimeouts()).toEqual([]);
    expect(finished).toBe(1);
  });
});
