import { FailureThrottle } from './failure-throttle';
import type { WebhookGatewayConfig } from '../webhook-gateway.config';

describe('FailureThrottle', () => {
  const throttle = () => new FailureThrottle({ WEBHOOK_AUTH_FAILURE_LIMIT: 3, WEBHOOK_AUTH_FAILURE_WINDOW_SEC: 60 } as WebhookGatewayConfig);

  it('blocks an address once it had the limit of failures in its window, until the window ends', () => {
    const t = throttle();
    for (let i = 0; i < 2; i++) t.recordFailure('10.0.0.1', 1000);
    expect(t.blockedFor('10.0.0.1', 1000)).toBeUndefined();
    t.recordFailure('10.0.0.1', 1000);
    expect(t.blockedFor('10.0.0.1', 1000)).toBe(60);
    expect(t.blockedFor('10.0.0.1', 50_500)).toBe(11);
    expect(t.blockedFor('10.0.0.2', 1000)).toBeUndefined();
    expect(t.blockedFor('10.0.0.1', 61_000)).toBeUndefined();
  });

  it('starts a new window with no failures', () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) t.recordFailure('10.0.0.1', 0);
    t.recordFailure('10.0.0.1', 60_000);
    expect(t.blockedFor('10.0.0.1', 60_000)).toBeUndefined();
  });
});
