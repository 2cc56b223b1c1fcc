import { Type } from 'class-transformer';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { BaseServiceConfig } from '@compliance/platform';

const HTTP_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
const urlMessage = (name: string, port: number) => `${name} must be an http(s) URL without a query, such as http://127.0.0.1:${port}`;

/**
 * The console's environment. It keeps no data of its own: no database, no API keys (each user signs
 * in with theirs), so of the shared variables it reads only the Kafka ones (the live alert feed,
 * consumer lag, the last signed checkpoint), LOG_LEVEL and NODE_ENV.
 */
export class ConsoleConfig extends BaseServiceConfig {
  @Type(() => Number)
  @IsInt({ message: 'CONSOLE_PORT must be an integer port number' })
  @Min(1, { message: 'CONSOLE_PORT must be between 1 and 65535' })
  @Max(65535, { message: 'CONSOLE_PORT must be between 1 and 65535' })
  CONSOLE_PORT = 3005;

  @Matches(HTTP_URL, { message: urlMessage('GATEWAY_URL', 3000) })
  GATEWAY_URL = 'http://127.0.0.1:3000';

  @Matches(HTTP_URL, { message: urlMessage('KYC_RESULTS_URL', 3001) })
  KYC_RESULTS_URL = 'http://127.0.0.1:3001';

  @Matches(HTTP_URL, { message: urlMessage('AML_TRIGGER_URL', 3002) })
  AML_TRIGGER_URL = 'http://127.0.0.1:3002';

  @Matches(HTTP_URL, { message: urlMessage('RETENTION_URL', 3003) })
  RETENTION_URL = 'http://127.0.0.1:3003';

  @Matches(HTTP_URL, { message: urlMessage('AUDIT_LOG_URL', 3004) })
  AUDIT_LOG_URL = 'http://127.0.0.1:3004';

  /** A session unused this long is gone: the user signs in again. */
  @Type(() => Number)
  @IsInt({ message: 'CONSOLE_SESSION_IDLE_MIN must be an integer number of minutes' })
  @Min(1, { message: 'CONSOLE_SESSION_IDLE_MIN must be between 1 and 720' })
  @Max(720, { message: 'CONSOLE_SESSION_IDLE_MIN must be between 1 and 720' })
  CONSOLE_SESSION_IDLE_MIN = 30;

  /**
   * `true` behind https (a TLS-terminating proxy): the session cookie gets `Secure` and the `__Host-`
   * prefix, and responses carry Strict-Transport-Security. A string: implicit conversion would read
   * "false" as true.
   */
  @IsIn(['true', 'false'], { message: 'CONSOLE_COOKIE_SECURE must be true or false' })
  CONSOLE_COOKIE_SECURE = 'false';

  /** How long the console waits for a service's answer before it shows the service as unavailable. */
  @Type(() => Number)
  @IsInt({ message: 'CONSOLE_UPSTREAM_TIMEOUT_MS must be an integer number of milliseconds' })
  @Min(100, { message: 'CONSOLE_UPSTREAM_TIMEOUT_MS must be between 100 and 120000' })
  @Max(120_000, { message: 'CONSOLE_UPSTREAM_TIMEOUT_MS must be between 100 and 120000' })
  CONSOLE_UPSTREAM_TIMEOUT_MS = 10_000;

  get secureCookie(): boolean {
    return this.CONSOLE_COOKIE_SECURE === 'true';
  }

  get sessionIdleMs(): number {
    return this.CONSOLE_SESSION_IDLE_MIN * 60_000;
  }
}
