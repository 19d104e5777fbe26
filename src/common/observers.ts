/**
 * Outcomes a module announces for whoever listens (metrics), so the announcing module needs to
 * know nothing about its listeners: dependencies keep pointing one way. A failing listener never
 * breaks the work that announced.
 */
export class Observers<T> {
  private readonly listeners: Array<(value: T) => void> = [];

  subscribe(listener: (value: T) => void): void {
    this.listeners.push(listener);
  }

  notify(value: T): void {
    for (const listener of this.listeners) {
      try {
        listener(value);
      } catch {
        // an observer's problem, not the work's
      }
    }
  }
}
