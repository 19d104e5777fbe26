import type { PeriodicTaskSpec, PeriodicTasks } from '../common/scheduling/periodic-tasks';
import { loadAppConfig } from '../config/app-config';
import type { ContactListStore } from './contact-list.store';
import { ListCountsCompactionJob } from './list-counts-compaction.job';

describe('ListCountsCompactionJob', () => {
  function jobWith(env: Record<string, string>) {
    const started: PeriodicTaskSpec[] = [];
    const stop = jest.fn(async () => undefined);
    const tasks = {
      start: (spec: PeriodicTaskSpec) => (started.push(spec), { stop }),
    } as unknown as PeriodicTasks;
    const store = { compactCounts: jest.fn(async () => ({ removed: 3, written: 1 })) };
    const job = new ListCountsCompactionJob(loadAppConfig(env), tasks, store as unknown as ContactListStore);
    return { job, started, stop, store };
  }

  it('compacts every LIST_COUNTS_COMPACTION_INTERVAL_MS where the loops run, and stops at shutdown', async () => {
    const { job, started, stop, store } = jobWith({ LIST_COUNTS_COMPACTION_INTERVAL_MS: '5000' });
    job.onApplicationBootstrap();
    expect(started).toHaveLength(1);
    expect(started[0].intervalMs).toBe(5000);
    await started[0].run();
    expect(store.compactCounts).toHaveBeenCalledTimes(1);
    await job.onModuleDestroy();
    expect(stop).toHaveBeenCalled();
  });

  it('defaults to every 30 s and does not run on an api instance', () => {
    expect(loadAppConfig({}).listCountsCompactionIntervalMs).toBe(30_000);
    const { job, started } = jobWith({ INSTANCE_ROLE: 'api' });
    job.onApplicationBootstrap();
    expect(started).toEqual([]);
  });
});
