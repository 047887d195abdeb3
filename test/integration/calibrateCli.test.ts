// `so100 calibrate` as a user runs it: on the simulated arm, and on a real pty against `so100 sim --pty`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCalibration } from '../../src/core/so100';
import { interrupt, projectRoot, runCli } from '../helpers/cliProcess';

const hasSocat = (): Promise<boolean> =>
  new Promise((resolve) => {
    const c = spawn('socat', ['-V'], { stdio: 'ignore' });
    c.on('error', () => resolve(false));
    c.on('close', (code) => resolve(code === 0));
  });

describe('so100 calibrate', () => {
  test('--sim runs the whole procedure and saves a LeRobot calibration file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'so100-cal-'));
    const r = await runCli(['calibrate', '--sim', '--robot-id', 'bench_arm', '--calibration-dir', dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Move the arm to the middle of its range/);
    assert.match(r.stdout, /Saved .*bench_arm\.json/);
    const path = join(dir, 'bench_arm.json');
    const cal = parseCalibration(await readFile(path, 'utf8'), path);
    assert.deepEqual([cal.wrist_roll.range_min, cal.wrist_roll.range_max], [0, 4095]);
    assert.ok(cal.shoulder_pan.range_max - cal.shoulder_pan.range_min > 2000, 'the sweep was recorded');
  });

  test('command-line mistakes exit 2', async () => {
    assert.match((await runCli(['calibrate'])).stderr, /--port PATH, or --sim/);
    const both = await runCli(['calibrate', '--sim', '--port', '/dev/null']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exclude each other/);
  });

  test('on a pty: unmoved joints are named, and quitting saves nothing (exit 1)', async (t) => {
    if (!(await hasSocat())) {
      t.skip('socat is not installed (apt install socat)');
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'so100-cal-'));
    const pty = join(dir, 'arm');
    const sim = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sim', '--pty', pty], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('so100 sim did not start')), 20_000);
        sim.stdout.on('data', (d: Buffer) => {
          if (/simulated SO-100 on/.test(String(d))) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const cal = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'calibrate', '--port', pty, '--calibration-dir', dir],
        { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let out = '';
      cal.stdout.on('data', (d) => {
        out += d;
      });
      cal.stdin.end('\n\nq\n');
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => cal.kill('SIGKILL'), 30_000);
        cal.on('close', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      assert.equal(code, 1, out);
      assert.match(out, /shoulder_pan moved only 0 steps/);
      assert.match(out, /nothing was saved/);
      assert.deepEqual(
        (await readdir(dir)).filter((f) => f.endsWith('.json')),
        [],
      );
    } finally {
      await interrupt(sim);
    }
  });
});
