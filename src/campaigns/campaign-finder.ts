import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '../common/errors/domain-error';
import { Campaign } from './entities/campaign.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Loads a campaign or throws NotFoundError (also for ids that are not UUIDs, rather than a SQL error). */
@Injectable()
export class CampaignFinder {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<Campaign> {
    const campaign = UUID.test(id) ? await manager.findOneBy(Campaign, { id }) : null;
    if (!campaign) throw new NotFoundError('Campaign', id);
    return campaign;
  }
}
