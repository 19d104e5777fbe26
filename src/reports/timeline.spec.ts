import { buildTimeline } from './timeline';

describe('buildTimeline', () => {
  it('merges kinds per minute and orders minutes', () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 10, minute));
    const timeline = buildTimeline([
      { minute: at(2), kind: 'failed', count: 1 },
      { minute: at(1), kind: 'sent', count: 100 },
      { minute: at(2), kind: 'sent', count: 50 },
      { minute: at(1), kind: 'delivered', count: 90 },
    ]);
    expect(timeline).toEqual([
      { minute: '2026-11-25T10:01:00.000Z', sent: 100, delivered: 90, failed: 0 },
      { minute: '2026-11-25T10:02:00.000Z', sent: 50, delivered: 0, failed: 1 },
    ]);
  });
});
