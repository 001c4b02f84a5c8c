import { Module } from '@nestjs/common';
import { InstanceHandler } from './instance.handler';
import { InstanceService } from './instance.service';

@Module({
  controllers: [InstanceHandler],
  providers: [InstanceService],
})
export class InstanceModule {}
