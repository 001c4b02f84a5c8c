import { Global, Module, Optional, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ReadinessService } from '@meridian/observability';
import { User } from '@meridian/persistence';
import { ListQueryService } from './list-query.service';
import { UsersService } from './users.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([User])],
  providers: [UsersService, ListQueryService],
  exports: [UsersService, ListQueryService],
})
export class CommonModule implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly readiness?: ReadinessService,
  ) {}

  onModuleInit(): void {
    this.readiness?.add('database', async () => {
      await this.dataSource.query('SELECT 1');
    });
  }
}
