// A runtime event sink for tests that run a RuntimeSession in process: keeps the warnings, drops the rest.
import type { RuntimeEventName, RuntimeEvents } from '../../src/core/rpc';

export class WarningSink {
  readonly list: string[] = [];
  emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void {
    if (event === 'warning') this.list.push((data as RuntimeEvents['warning']).message);
  }
  frameFps(): number {
    return 0;
  }
}
