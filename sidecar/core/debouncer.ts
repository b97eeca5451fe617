/**
 * A trailing-edge debouncer: many triggers within the quiet period lead to one call.
 */

/** Collapses bursts of triggers into one call after `delayMs` of quiet. */
export class Debouncer {
  private timer: NodeJS.Timeout | undefined;
  private reasons = new Set<string>();

  /** Creates a debouncer calling fn with the set of reasons collected during the burst. */
  constructor(
    private readonly delayMs: number,
    private readonly fn: (reasons: string[]) => void,
  ) {}

  /** Records a trigger and (re)starts the quiet period. */
  trigger(reason: string): void {
    this.reasons.add(reason);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), this.delayMs);
  }

  /** Calls fn now if a trigger is pending. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.fire();
    }
  }

  /** Drops pending triggers. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.reasons.clear();
  }

  private fire(): void {
    this.timer = undefined;
    const reasons = [...this.reasons];
    this.reasons.clear();
    this.fn(reasons);
  }
}
