// How the supervisor turns a child's output into log lines: partial chunks, CRLF, progress bars, huge
// lines, multi-byte characters split across chunks, and a bounded log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../src/io/process/lineSplitter';
import { LogRing } from '../../src/io/process/logRing';
import { ServerSupervisor } from '../../src/io/process/serverSupervisor';
import type { ServerSpec } from '../../src/io/process/serverSpec';

test('lines split across chunks, CRLF and bare-CR progress redraws', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('hel'), []);
  assert.deepEqual(s.push('lo\r'), []);
  assert.deepEqual(s.push('\nworld\r\n10%\r50%\r100%\nlast'), ['hello', 'world', '100%']);
  assert.deepEqual(s.flush(), ['last']);
  assert.deepEqual(s.flush(), []);
});

test('a multi-byte character split between chunks survives', () => {
  const s = new LineSplitter();
  const bytes = Buffer.from('π₀ ready\n', 'utf8');
  assert.deepEqual(
    [...s.push(bytes.subarray(0, 1)), ...s.push(bytes.subarray(1, 4)), ...s.push(bytes.subarray(4))],
    ['π₀ ready'],
  );
});

test('a very long line is capped once and the rest of it dropped', () => {
  const s = new LineSplitter(10);
  const out = [...s.push('a'.repeat(25)), ...s.push('b'.repeat(25)), ...s.push('c\nnext\n')];
  assert.equal(out.length, 2);
  assert.ok(out[0].startsWith('aaaaaaaaaa') && out[0].includes('truncated'));
  assert.equal(out[1], 'next');
});

test('the log ring keeps only the newest lines, oldest first', () => {
  const ring = new LogRing<number>(3);
  assert.deepEqual(ring.toArray(), []);
  for (let i = 1; i <= 5; i++) ring.push(i);
  assert.deepEqual(ring.toArray(), [3, 4, 5]);
  assert.throws(() => new LogRing(0), /positive integer/);
});

test('output of a real child reaches recentLog and onLog line by line, bounded by logCapacity', async (t) => {
  // Any command works; here an inline script that writes awkward chunks, then fails before being ready.
  const script = [
    "process.stdout.write('par');",
    "setTimeout(() => process.stdout.write('tial\\r\\nsecond\\n'), 50);",
    "setTimeout(() => { for (let i = 0; i < 30; i++) process.stderr.write('noise ' + i + '\\n'); }, 100);",
    'setTimeout(() => { process.stderr.write("ModuleNotFoundError: No module named \'openpi\'"); process.exitCode = 1; }, 150);',
  ].join('\n');
  const spec: ServerSpec = {
    name: 'inline',
    command: process.execPath,
    args: ['-e', script],
    host: '127.0.0.1',
    port: 9,
    protocol: 'openpi',
    startTimeoutMs: 10_000,
    stopGraceMs: { sigint: 300, sigterm: 300 },
  };
  const sup = new ServerSupervisor(spec, { pollIntervalMs: 50, logCapacity: 25, readiness: async () => false });
  t.after(() => sup.stop());
  const streamed: string[] = [];
  const unsubscribe = sup.onLog((l) => l.stream !== 'supervisor' && streamed.push(l.text));

  const err = await sup.start().then(
    () => assert.fail('start should fail'),
    (e: unknown) => e as Error,
  );
  assert.match(err.message, /uv run/, 'advice for the unterminated last line');
  assert.deepEqual(streamed.slice(0, 2), ['partial', 'second']);
  assert.equal(streamed.at(-1), "ModuleNotFoundError: No module named 'openpi'");
  assert.equal(streamed.length, 33);
  const log = sup.recentLog();
  assert.equal(log.length, 25);
  assert.equal(log.at(-1)?.stream, 'supervisor', 'the failure is logged last');
  unsubscribe();
  const before = streamed.length;
  await sup.start().catch(() => undefined);
  assert.equal(streamed.length, before, 'no lines after unsubscribing');
});
