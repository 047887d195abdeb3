// Extension-host entry (extensionTestsPath): runs the mocha tests bundled next to this file and prints one
// machine-readable result line, which the runner reads from the host's console.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

interface MochaTest {
  fullTitle(): string;
  duration?: number;
}
interface MochaRunner {
  on(event: 'pass', cb: (test: MochaTest) => void): void;
  on(event: 'fail', cb: (test: MochaTest, err: Error) => void): void;
}
interface MochaInstance {
  addFile(file: string): void;
  run(done: (failures: number) => void): MochaRunner;
}
type MochaConstructor = new (options: Record<string, unknown>) => MochaInstance;

/** One test's outcome as the runner prints it. */
interface TestOutcome {
  readonly title: string;
  readonly ok: boolean;
  readonly ms?: number;
  readonly error?: string;
}

export async function run(): Promise<void> {
  // mocha 11 is CommonJS; the runner's bundler turns this into a require of test/vscode/node_modules/mocha.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require('mocha') as MochaConstructor;
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(join(__dirname, f));
  const tests: TestOutcome[] = [];
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), ok: true, ms: t.duration }));
    runner.on('fail', (t, err) =>
      tests.push({
        title: t.fullTitle(),
        ok: false,
        // The message plus the first frames inside the tests, enough to find the failing line.
        error: [
          err.message,
          ...(err.stack ?? '')
            .split('\n')
            .filter((l) => l.includes('.test.'))
            .slice(0, 2),
        ].join('\n'),
      }),
    );
  });
  const failed = Math.max(failures, tests.filter((t) => !t.ok).length);
  console.log(
    `SO100_MOCHA_RESULT ${JSON.stringify({ files: files.length, passed: tests.filter((t) => t.ok).length, failed, tests })}`,
  );
  if (failed > 0) throw new Error(`${failed} extension-host test(s) failed`);
}
