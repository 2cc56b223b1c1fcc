/**
 * The idle wait of a background loop (outbox relay, spool relay, provider worker): it sleeps until
 * its poll interval ends or someone calls wake() because there is work now.
 */
export class Wakeup {
  private wakeCurrent?: () => void;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeCurrent = done;
    });
  }

  wake(): void {
    this.wakeCurrent?.();
  }
}
