// Config faults. A broken so100.json (bad JSON, a schema violation, an unknown layout) is refused by a real
// `so100 episode` before anything opens: the arm behind the configured port (a pty) receives nothing and no record is
// started — no episode, so the record check does not apply. A user converter that throws every third call is a
// whole episode: it goes on, each throw is told with the module's file and line, the goals stay safe.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import type { RuntimeModelEndpoint } from '../../src/core/rpc';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { runCli } from '../helpers/cliProcess';
import {
  assertRecordComplete,
  assertSafeGoals,
  assertToldCause,
  faultConfig,
  socatMissing,
  startPtyArm,
  withRig,
  type PtyArm,
} from './faultHarness';

/** The so100.json texts, each with the pty arm as robot (so opening it would show on the simulator). */
const BROKEN: ReadonlyArray<{
  readonly name: string;
  readonly text: (robot: string) => string;
  readonly told: RegExp;
}> = [
  {
    name: 'invalid JSON (a missing comma)',
    text: (robot) => `{\n  "robot": ${robot},\n  "maxSteps": 20\n  "task": "pick"\n}\n`,
    told: /so100\.json:4:3: error: expected ',' or '}' after the value of "maxSteps".*comma missing/,
  },
  {
    name: 'a schema violation (fps as a string)',
    text: (robot) => `{\n  "robot": ${robot},\n  "fps": "fast"\n}\n`,
    told: /so100\.json:3:10: error: fps must be a whole number from 1 to 1000, got the string "fast"/,
  },
  {
    name: 'an unknown converter layout',
    text: (robot) => `{\n  "robot": ${robot},\n  "converter": { "layout": "openpi-so101" }\n}\n`,
    told: /so100\.json:3:28: error: converter\.layout must be .*got the string "openpi-so101"; did you mean "openpi-so100"\?/,
  },
];

describe('config faults', () => {
  let server: BuiltinPolicyServer;
  let endpoints: Record<string, RuntimeModelEndpoint>;
  let dir: string;
  before(async () => {
    server = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 5 }),
    });
    endpoints = { pi0: { url: server.url, protocol: 'openpi' } };
    dir = await mkdtemp(path.join(tmpdir(), 'so100-fault-config-'));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const c of BROKEN) {
    test(
      `${c.name}: so100 episode refuses it at file:line:column; nothing reaches the arm, nothing is recorded (no episode)`,
      { timeout: 60_000, skip: socatMissing },
      async () => {
        let arm: PtyArm | undefined;
        const workspace = await mkdtemp(path.join(dir, 'ws-'));
        try {
          arm = await startPtyArm();
          const file = path.join(workspace, 'so100.json');
          await writeFile(file, c.text(JSON.stringify(arm.robot)));
          const run = await runCli(['episode', '--config', file]);
          assert.equal(run.code, 1, `exit code; stderr: ${run.stderr}`);
          assert.match(run.stderr, c.told);
          assert.ok(run.stderr.includes(file), 'the message names the file');
          assert.equal(arm.sim.goals.total, 0, 'no goal reached the arm');
          assert.deepEqual(
            arm.sim.servos.map((s) => s.readRegister('Torque_Enable')),
            [0, 0, 0, 0, 0, 0],
            'torque never came on',
          );
          assert.deepEqual(await readdir(workspace), ['so100.json'], 'no record folder');
        } finally {
          await arm?.close();
        }
      },
    );
  }

  test(
    'a converter module that throws every third call: the episode goes on, each throw is told with file:line, goals safe, record whole',
    { timeout: 60_000 },
    async () => {
      const module = path.join(dir, 'flakyConverter.js');
      await writeFile(
        module,
        [
          'let calls = 0;',
          'exports.toPolicy = (obs, builtin) => {',
          '  calls++;',
          '  globalThis.__so100FlakyConverterCalls = calls;',
          '  if (calls % 3 === 0) throw new RangeError(`every third call fails (call ${calls})`);',
          '  return builtin.toPolicy(obs);',
          '};',
          '',
        ].join('\n'),
      );
      const g = globalThis as { __so100FlakyConverterCalls?: number };
      g.__so100FlakyConverterCalls = 0;
      const config = faultConfig({
        maxSteps: 90,
        converter: { layout: 'openpi-so100', module },
        chunking: { mode: 'sync', nActionSteps: 4 },
      });
      await withRig(config, endpoints, async (rig) => {
        await rig.session.runEpisode();
        const summary = await rig.session.episodeEnded()!;
        const calls = g.__so100FlakyConverterCalls ?? 0;
        assert.ok(calls >= 6, `the converter ran ${calls} times (two throws at least)`);
        assert.equal(summary.steps, 90, `a throw now and then does not end the episode: ${summary.reason}`);
        const told = rig.events.warnings.filter(
          (w) => w.includes(`${module}:5:`) && /toPolicy threw RangeError: every third call fails/.test(w),
        );
        assert.equal(
          told.length,
          Math.floor(calls / 3),
          `one warning per throw, naming the file and line:\n${rig.events.warnings.join('\n')}`,
        );
        assertToldCause(rig, summary, /converter module .*flakyConverter\.js:5:\d+: toPolicy threw/);
        assertSafeGoals(rig.session.simulatedBus!.goals.all());
        await assertRecordComplete(summary, { success: false, minSteps: 90 });
      });
    },
  );
});
