import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Dataset, DatasetColumn, DatasetMetric } from '@meridian/persistence';
import { DatasetsHandler } from './datasets.handler';
import { DatasetsRepository } from './datasets.repository';
import { DatasetsService } from './datasets.service';

@Module({
  imports: [TypeOrmModule.forFeature([Dataset, DatasetColumn, DatasetMetric])],
  controllers: [DatasetsHandler],
  providers: [DatasetsService, DatasetsRepository],
})
export class DatasetsModule {}
