import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { IdentitySealing } from '../pii/identity-sealing';
import { OutboxRelay } from '@compliance/messaging';
import { ScreeningProvider } from '../provider/screening-provider';
import type { ScreeningIdentity } from '../screenings/screening.types';
import { ScreeningsService } from '../screenings/screenings.service';
import { WatchlistRegistry } from '../watchlists/watchlist-registry.service';
import { lockStaleSubject, markScreened, staleSubjects, subjectSealContext } from './monitored-subject.repository';

const PAGE = 100;

/**
 * Ongoing monitoring: whenever the lists change, every monitored subject not yet screened against
 * the new version set is re-screened (one transaction each). Progress lives in the database
 * (`screened_list_set`), so a sweep cut short by a restart resumes at the next start; only hits new
 * to a subject raise alerts (see AlertsService).
 */
@Injectable()
export class MonitoringService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private sweeping?: Promise<void>;
  private again = false;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: PinoLogger,
    private readonly relay: OutboxRelay,
    private readonly provider: ScreeningProvider,
    private readonly registry: WatchlistRegistry,
    private readonly screenings: ScreeningsService,
    private readonly sealing: IdentitySealing,
  ) {}

  onApplicationBootstrap(): void {
    // A remote provider monitors on its own side; local lists are what we watch.
    if (!this.provider.inline) return;
    this.registry.onChange(() => void this.sweep());
    void this.sweep();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.sweeping;
  }

  /** Starts a sweep, or asks the running one to go round again for a version set that arrived meanwhile. */
  sweep(): Promise<void> {
    if (this.sweeping) {
      this.again = true;
      return this.sweeping;
    }
    this.sweeping = this.sweepUntilCurrent().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepUntilCurrent(): Promise<void> {
    do {
      this.again = false;
      const listSet = this.provider.listSetKey();
      let rescreened = 0;
      for (let after = ''; !this.stopping; ) {
        const page = await staleSubjects(this.dataSource, listSet, after, PAGE);
        if (page.length === 0) break;
        for (const subjectRef of page) if (!this.stopping && (await this.rescreen(subjectRef))) rescreened++;
        after = page[page.length - 1];
      }
      if (rescreened) this.logger.info({ rescreened, listSet }, 'monitored subjects re-screened against new lists');
    } while (this.again && !this.stopping);
  }

  private async rescreen(subjectRef: string): Promise<boolean> {
    try {
      const done = await this.dataSource.transaction(async (m) => {
        const listSet = this.provider.listSetKey();
        const subject = await lockStaleSubject(m, subjectRef, listSet);
        if (!subject) return false;
        const identity = await this.sealing.open<ScreeningIdentity>(subject.identity_sealed, subjectSealContext(subjectRef));
        // Its data key destroyed: the subject's erasure was ordered (the command deletes the row).
        if (!identity) return false;
        await this.screenings.request(m, {
          subjectRef,
          sessionId: subject.latest_session_id ?? undefined,
          trigger: 'list_change',
          identity,
          dedupeKey: `monitor:${subjectRef}:${listSet}:${subject.identity_digest}`,
        });
        await markScreened(m, subjectRef, listSet, subject.identity_digest);
        return true;
      });
      if (done) this.relay.kick();
      return done;
    } catch (err) {
      // Logged by reference only; the subject stays stale and is tried again at the next sweep.
      this.logger.warn({ subjectRef, err: (err as Error).message }, 're-screening a monitored subject failed');
      return false;
    }
  }
}
