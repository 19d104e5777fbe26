import { Module } from '@nestjs/common';
import { Database } from './database';

/** The SQL access every store uses (the DataSource itself comes from TypeOrmModule.forRoot). */
@Module({ providers: [Database], exports: [Database] })
export class DatabaseModule {}
