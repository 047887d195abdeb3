// The runtime process (DESIGN §1): `node dist/runtime.js --socket PATH [--workspace DIR] [--parent-pid N]
// [--no-stdin-lifeline]`. It prints one line, "so100-runtime listening PATH", once the socket accepts connections.
// When its host goes away (stdin closes, or process N is gone), or on SIGINT / SIGTERM / a `shutdown` call, it
// leaves the arm safe (disconnect: torque off unless configured to hold) and exits. A runtime started by VS Code's
// debugger has no stdin from its host: it gets --no-stdin-lifeline and relies on --parent-pid alone.
import { parseArgs } from 'node:util';
import { parseParentPid, watchParent } from '../io/process/parentLifeline';
import { RuntimeServer } from './rpc/runtimeServer';

export const RUNTIME_READY_PREFIX = 'so100-runtime listening ';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      socket: { type: 'string' },
      workspace: { type: 'string' },
      'parent-pid': { type: 'string' },
      'no-stdin-lifeline': { type: 'boolean' },
    },
    strict: true,
  });
  let parentPid: number | undefined;
  try {
    parentPid = parseParentPid(values['parent-pid']);
  } catch (err) {
    console.error(`so100 runtime: ${(err as Error).message}`);
    process.exit(2);
  }
  if (!values.socket) {
    console.error('so100 runtime: --socket PATH is required (the host picks the path and connects to it)');
    process.exit(2);
  }
  const server = await RuntimeServer.listen(values.socket, values.workspace ?? process.cwd());
  let closing: Promise<void> | undefined;
  const exit = (why: string) => {
    closing ??= (async () => {
      console.error(`so100-runtime: ${why}; leaving the arm safe and exiting`);
      const timer = setTimeout(() => process.exit(1), 15_000);
      await server.close();
      clearTimeout(timer);
      process.exit(0);
    })();
  };
  void server.shutdown.then(() => exit('shutdown requested'));
  process.once('SIGINT', () => exit('SIGINT'));
  process.once('SIGTERM', () => exit('SIGTERM'));
  // The host holds our stdin open; EOF means it is gone (crashed VS Code, killed CLI).
  if (!values['no-stdin-lifeline']) {
    process.stdin.on('end', () => exit('the host went away'));
    process.stdin.resume();
  }
  if (parentPid !== undefined) watchParent(parentPid, () => exit(`the host (pid ${parentPid}) went away`));
  process.stdout.write(`${RUNTIME_READY_PREFIX}${values.socket}\n`);
}

main().catch((err: unknown) => {
  console.error(`so100-runtime: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
