import { Injectable } from '@nestjs/common';

export interface ReadinessResult {
  up: boolean;
  details?: Record<string, unknown>;
}

export type ReadinessCheck = () => Promise<ReadinessResult>;

/** Services register what readiness depends on (database, Kafka, spool depth...). */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async run(timeoutMs = 3000): Promise<Record<string, ReadinessResult>> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await withTimeout(check(), timeoutMs)] as const),
    );
    return Object.fromEntries(entries);
  }
}

async function withTimeout(p: Promise<ReadinessResult>, ms: number): Promise<ReadinessResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessResult>((resolve) => {
    timer = setTimeout(() => resolve({ up: false, details: { error: `no answer within ${ms} ms` } }), ms);
  });
  try {
    return await Promise.race([p.catch((err) => ({ up: false, details: { error: (err as Error).message } })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
