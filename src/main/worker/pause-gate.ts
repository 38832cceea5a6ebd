/** Training awaits wait() between batches; pause() makes it block until resume() (or until stopped). */
export class PauseGate {
  private blocked: Promise<void> | null = null;
  private release: (() => void) | null = null;

  get paused(): boolean {
    return this.blocked !== null;
  }

  pause(): void {
    if (this.blocked) return;
    this.blocked = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  resume(): void {
    this.release?.();
    this.blocked = null;
    this.release = null;
  }

  wait(): Promise<void> {
    return this.blocked ?? Promise.resolve();
  }
}
