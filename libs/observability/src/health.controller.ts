import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessRegistry } from './readiness';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([async () => this.indicator.check('process').up({ pid: process.pid })]);
  }

  /** Dependencies answer: 200 when every registered check is up, 503 with the details otherwise. */
  @Get('ready')
  @HealthCheck()
  async ready() {
    const results = await this.readiness.run();
    return this.health.check(
      Object.entries(results).map(([name, r]) => async (): Promise<HealthIndicatorResult> => {
        const session = this.indicator.check(name);
        return r.up ? session.up(r.details) : session.down(r.details);
      }),
    );
  }
}
