import { Controller, Get, Res } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { Protect } from './auth-policy.decorator';

/** Prometheus's `/metrics`, behind METRICS_BEARER_TOKEN when it is set. */
@Controller()
@Protect('metrics')
export class MetricsController extends PrometheusController {
  @Get()
  override index(@Res({ passthrough: true }) response: unknown): Promise<string> {
    return super.index(response);
  }
}
