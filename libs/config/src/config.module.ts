import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { MeridianConfig } from './meridian-config';

export const MERIDIAN_CONFIG = Symbol('MERIDIAN_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: MeridianConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: MERIDIAN_CONFIG, useValue: config }],
      exports: [MERIDIAN_CONFIG],
    };
  }
}
