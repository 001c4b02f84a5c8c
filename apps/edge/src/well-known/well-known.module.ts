import { Module } from '@nestjs/common';
import { ProtectedResource } from './protected-resource';
import { WellKnownController } from './well-known.controller';

@Module({
  controllers: [WellKnownController],
  providers: [ProtectedResource],
  exports: [ProtectedResource],
})
export class WellKnownModule {}
