import { Module } from '@nestjs/common';
import { AuthzModule } from '@meridian/authz';
import { SqlAccessService } from '../access/sql-access.service';
import { SqlCatalogRepository } from '../access/sql-catalog.repository';
import { EnginePools } from '../engines/engine-pools.service';
import { ExecuteSqlHandler } from './execute-sql.handler';
import { ExecuteSqlService } from './execute-sql.service';

@Module({
  imports: [AuthzModule],
  controllers: [ExecuteSqlHandler],
  providers: [ExecuteSqlService, SqlAccessService, SqlCatalogRepository, EnginePools],
})
export class ExecuteSqlModule {}
