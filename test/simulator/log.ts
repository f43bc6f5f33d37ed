// Console logging: one line per transition, errors repeated only when they change (the loop retries
// every few hundred milliseconds and would otherwise flood the output).

export class Logger {
  private readonly lastByKey = new Map<string, string>();

  constructor(private readonly verbose = false) {}

  info(message: string): void {
    console.log(`${new Date().toISOString()} ${message}`);
  }

  debug(message: string): void {
    if (this.verbose) this.info(`debug: ${message}`);
  }

  /** Logs `message` unless it is what was last logged under `key`. */
  once(key: string, message: string): void {
    if (this.lastByKey.get(key) === message) return;
    this.lastByKey.set(key, message);
    this.info(message);
  }

  clear(key: string): void {
    this.lastByKey.delete(key);
  }
}
