/** Lets through at most one value per interval, always keeping the latest; flush() sends what is pending. */
export function latestThrottle<T>(intervalMs: number, send: (value: T) => void, now: () => number = Date.now) {
  let last = -Infinity;
  let pending: T | undefined;
  let has = false;
  return {
    push(value: T): void {
      const t = now();
      if (t - last >= intervalMs) {
        last = t;
        has = false;
        send(value);
      } else {
        pending = value;
        has = true;
      }
    },
    flush(): void {
      if (has) {
        has = false;
        last = now();
        send(pending as T);
      }
    },
  };
}
