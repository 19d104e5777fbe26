import { Module } from '@nestjs/common';
import { Database } from './database';
import { NamedLeases } from './named-leases';

/** The SQL access every store uses, and named leases for one-at-a-time background work (the DataSource itself comes from TypeOrmModule.forRoot). */
@Module({ providers: [Database, NamedLeases], exports: [Database, NamedLeases] })
export class DatabaseModule {}
