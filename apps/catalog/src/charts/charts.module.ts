import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Chart, Dashboard } from '@meridian/persistence';
import { ChartsHandler } from './charts.handler';
import { ChartsRepository } from './charts.repository';
import { ChartsService } from './charts.service';

@Module({
  imports: [TypeOrmModule.forFeature([Chart, Dashboard])],
  controllers: [ChartsHandler],
  providers: [ChartsService, ChartsRepository],
})
export class ChartsModule {}
