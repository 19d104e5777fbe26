import { createTestDatabase, TestDatabase } from '../../test/support/test-database';
import { Database } from './database';

describe('Database.sql', () => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Database(database.dataSource);
    await db.sql(`CREATE TABLE sql_probe (id int PRIMARY KEY, value text)`);
    await db.sql(`INSERT INTO sql_probe VALUES (1, 'a'), (2, 'b')`);
  });
  afterAll(() => database.drop());

  it('returns plain rows for every kind of statement, bare UPDATE/DELETE … RETURNING included', async () => {
    expect(await db.sql(`SELECT id FROM sql_probe ORDER BY id`)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await db.sql(`UPDATE sql_probe SET value = 'c' RETURNING id`)).toEqual(
      expect.arrayContaining([{ id: 1 }, { id: 2 }]),
    );
    expect(await db.sql(`UPDATE sql_probe SET value = 'd' WHERE id = 1`)).toEqual([]);
    expect(await db.sql(`UPDATE sql_probe SET value = 'e' WHERE id = 3 RETURNING id`)).toEqual([]);
    expect(await db.transaction((sql) => sql(`DELETE FROM sql_probe WHERE id = 2 RETURNING value`))).toEqual([
      { value: 'c' },
    ]);
  });
});
