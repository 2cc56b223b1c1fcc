import { register } from 'prom-client';

/**
 * The metric registered under `name`, made on first use. Modules are loaded once per process, but
 * tests start several apps in one process: registering a metric twice would throw.
 */
export function metricOnce<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}
