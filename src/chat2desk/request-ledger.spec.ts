import type { Sql } from '../database/sql';
import { ManualClock } from '../common/clock/clock';
import { RequestLedger } from './request-ledger';

describe('RequestLedger', () => {
  it('keeps counting and flushing after the database was away for one flush', async () => {
    const writes: unknown[][] = [];
    let databaseUp = false;
    const sql = (async (_text: string, params: unknown[] = []) => {
      if (!databaseUp) throw new Error('connect ECONNREFUSED');
      writes.push(params);
      return [];
    }) as Sql;
    const ledger = new RequestLedger(sql, new ManualClock());

    ledger.record({ endpoint: 'POST /v1/messages', kind: 'send', outcome: 'success' });
    await expect(ledger.flush()).rejects.toThrow('ECONNREFUSED');

    databaseUp = true;
    ledger.record({ endpoint: 'POST /v1/messages', kind: 'send', outcome: 'success' });
    await ledger.close();

    // Both requests reach the database, in one row, once it is back.
    expect(writes).toHaveLength(1);
    expect(writes[0][5]).toEqual([2]);
  });
});
