import { Module } from '@nestjs/common';
import { AuthzModule } from '@meridian/authz';
import { SqlWorkerModule } from '../worker/sql-worker.module';
import { ExecuteSqlHandler } from './execute-sql.handler';
import { ExecuteSqlService } from './execute-sql.service';

@Module({
  imports: [AuthzModule, SqlWorkerModule],
  controllers: [ExecuteSqlHandler],
  providers: [ExecuteSqlService],
})
export class ExecuteSqlModule {}
