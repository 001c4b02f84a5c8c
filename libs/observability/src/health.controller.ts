import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { ReadinessService } from './readiness.service';

@Controller()
export class HealthController {
  constructor(
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly readiness: ReadinessService,
  ) {}

  @Get('health')
  health() {
    return { status: 'healthy', timestamp: new Date().toISOString(), version: this.config.version };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.readiness.report();
    if (!report.ready) {
      reply.status(503);
      return {
        status: 'not_ready',
        error: `Not ready: ${report.failed.join(', ')} unavailable`,
        checks: report.checks,
        ...report.notes,
        timestamp: new Date().toISOString(),
      };
    }
    return { status: 'ready', checks: report.checks, ...report.notes, timestamp: new Date().toISOString() };
  }
}
