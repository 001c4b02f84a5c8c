import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Chart, Dashboard } from '@meridian/persistence';
import { DashboardsHandler } from './dashboards.handler';
import { DashboardsRepository } from './dashboards.repository';
import { DashboardsService } from './dashboards.service';

@Module({
  imports: [TypeOrmModule.forFeature([Dashboard, Chart])],
  controllers: [DashboardsHandler],
  providers: [DashboardsService, DashboardsRepository],
})
export class DashboardsModule {}
