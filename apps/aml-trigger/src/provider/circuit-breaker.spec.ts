import { CircuitBreaker, CircuitOpenError } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let clock = 0;
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, openMs: 1000, now: () => clock });
  const fail = () => Promise.reject(new Error('503'));
  const ok = () => Promise.resolve('ok');

  beforeEach(() => (clock = 0));

  it('opens after N consecutive failures and then fails fast without calling the provider', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await expect(b.execute(fail)).rejects.toThrow('503');
    expect(b.state).toBe('open');
    const call = jest.fn(ok);
    await expect(b.execute(call)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(call).not.toHaveBeenCalled();
  });

  it('lets one trial call through after the open period and closes when it succeeds', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await expect(b.execute(fail)).rejects.toThrow();
    clock = 1000;
    expect(b.state).toBe('half_open');
    await expect(b.execute(ok)).resolves.toBe('ok');
    expect(b.state).toBe('closed');
  });

  it('opens again at once when the trial call fails', async () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) await expect(b.execute(fail)).rejects.toThrow();
    clock = 1500;
    await expect(b.execute(fail)).rejects.toThrow('503');
    expect(b.state).toBe('open');
    clock = 2400;
    await expect(b.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('does not count failures the caller says are not the provider’s, and a success resets the count', async () => {
    const b = breaker();
    for (let i = 0; i < 5; i++) await expect(b.execute(fail, () => false)).rejects.toThrow();
    expect(b.state).toBe('closed');
    await expect(b.execute(fail)).rejects.toThrow();
    await expect(b.execute(fail)).rejects.toThrow();
    await b.execute(ok);
    await expect(b.execute(fail)).rejects.toThrow();
    expect(b.state).toBe('closed');
  });
});
