/**
 * Runs an async task now and then every interval after the previous run finished (runs never
 * overlap), until stopped; stop() waits for a run in progress.
 */

/** A task repeated every intervalMs while started. */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private active = false;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<unknown>,
  ) {}

  /** Starts: the first run happens at once. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.schedule(0);
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    this.active = false;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (!this.active) return;
    this.timer = setTimeout(() => {
      this.running = this.task()
        .then(() => undefined, () => undefined)
        .finally(() => {
          this.running = undefined;
          this.schedule(this.intervalMs);
        });
    }, delayMs);
  }
}
