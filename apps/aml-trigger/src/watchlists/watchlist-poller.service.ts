import { readdir, stat } from 'node:fs/promises';
import { PinoLogger } from 'nestjs-pino';
import * as path from 'node:path';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AmlTriggerConfig } from '../aml-trigger.config';
import { WatchlistRegistry } from './watchlist-registry.service';

/** Name, size and modification time of every list file: cheap to poll; a change triggers a reload. */
export async function folderSignature(dir: string): Promise<string> {
  try {
    const names = (await readdir(dir)).filter((n) => n.toLowerCase().endsWith('.csv')).sort();
    const parts = await Promise.all(
      names.map(async (n) => {
        const s = await stat(path.join(dir, n));
        return `${n}:${s.size}:${s.mtimeMs}`;
      }),
    );
    return parts.join('|');
  } catch (err) {
    return `unreadable:${(err as { code?: string }).code ?? 'error'}`;
  }
}

/**
 * Watches AML_LISTS_DIR by polling file stats (portable, unlike fs.watch on network mounts). A
 * change is acted on once the folder has stayed the same for one more interval, so a list being
 * copied in is not loaded half-written; the registry then compares content hashes.
 */
@Injectable()
export class WatchlistPoller implements OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private loadedSignature?: string;
  private candidate?: string;

  constructor(
    private readonly config: AmlTriggerConfig,
    private readonly registry: WatchlistRegistry,
    private readonly logger: PinoLogger,
  ) {}

  async start(): Promise<void> {
    this.loadedSignature = await folderSignature(this.config.AML_LISTS_DIR);
    if (this.config.AML_LIST_POLL_MS > 0) this.schedule();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tick().finally(() => this.timer && this.schedule()), this.config.AML_LIST_POLL_MS);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const signature = await folderSignature(this.config.AML_LISTS_DIR);
    if (signature === this.loadedSignature) {
      this.candidate = undefined;
      return;
    }
    if (signature !== this.candidate) {
      this.candidate = signature;
      return;
    }
    this.candidate = undefined;
    this.loadedSignature = signature;
    try {
      const outcome = await this.registry.reload();
      this.logger.info({ changed: outcome.changed, rejected: outcome.rejected, problems: outcome.problems.length }, 'watchlists reloaded after a file change');
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'watchlist reload failed; previous lists stay in use');
    }
  }
}
