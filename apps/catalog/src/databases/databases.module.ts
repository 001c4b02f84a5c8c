import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Database, Dataset } from '@meridian/persistence';
import { DatabasesHandler } from './databases.handler';
import { DatabasesRepository } from './databases.repository';
import { DatabasesService } from './databases.service';

@Module({
  imports: [TypeOrmModule.forFeature([Database, Dataset])],
  controllers: [DatabasesHandler],
  providers: [DatabasesService, DatabasesRepository],
})
export class DatabasesModule {}
