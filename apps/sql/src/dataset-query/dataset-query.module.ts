import { Module } from '@nestjs/common';
import { AuthzModule } from '@meridian/authz';
import { SqlWorkerModule } from '../worker/sql-worker.module';
import { DatasetQueryHandler } from './dataset-query.handler';
import { DatasetQueryRepository } from './dataset-query.repository';
import { DatasetQueryService } from './dataset-query.service';

@Module({
  imports: [AuthzModule, SqlWorkerModule],
  controllers: [DatasetQueryHandler],
  providers: [DatasetQueryService, DatasetQueryRepository],
})
export class DatasetQueryModule {}
