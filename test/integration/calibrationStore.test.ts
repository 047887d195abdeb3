import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { projectRoot } from '../helpers/cliProcess';
import { CalibrationFileError, perMotor, serializeCalibration, type So100Calibration } from '../../src/core/so100';
import {
  CalibrationAccessError,
  calibrationCandidates,
  CalibrationNotFoundError,
  calibrationPath,
  calibrationRoot,
  findCalibrationFile,
  InvalidRobotIdError,
  readCalibrationFile,
  writeCalibrationFile,
  type CalibrationLocation,
} from '../../src/io/calibration';

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'so100-cal-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const CAL: So100Calibration = perMotor((m, i) => ({
  id: i + 1,
  drive_mode: 0 as const,
  homing_offset: i * 100 - 250,
  range_min: m === 'wrist_roll' ? 0 : 800 + i,
  range_max: m === 'wrist_roll' ? 4095 : 3200 - i,
}));

/** A fresh home directory per test so tests cannot see each other's files. */
async function home(name: string): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function put(path: string, text: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
}

test('calibration root follows the LeRobot/huggingface_hub chain', () => {
  const h = '/home/u';
  assert.equal(calibrationRoot({}, h), '/home/u/.cache/huggingface/lerobot/calibration');
  assert.equal(calibrationRoot({ XDG_CACHE_HOME: '/xdg' }, h), '/xdg/huggingface/lerobot/calibration');
  assert.equal(calibrationRoot({ HF_HOME: '/hf', XDG_CACHE_HOME: '/xdg' }, h), '/hf/lerobot/calibration');
  assert.equal(calibrationRoot({ HF_LEROBOT_HOME: '~/lr', HF_HOME: '/hf' }, h), '/home/u/lr/calibration');
  assert.equal(calibrationRoot({ HF_LEROBOT_CALIBRATION: '/cal', HF_LEROBOT_HOME: '/lr' }, h), '/cal');
  assert.equal(calibrationRoot({ HF_LEROBOT_CALIBRATION: '', HF_HOME: '/hf' }, h), '/hf/lerobot/calibration');
});

test('paths: calibration_dir holds <id>.json itself; otherwise robots/so_follower with legacy fallbacks', () => {
  const loc: CalibrationLocation = { robotId: 'arm', env: { HF_LEROBOT_CALIBRATION: '/cal' }, homeDir: '/home/u' };
  assert.equal(calibrationPath(loc), '/cal/robots/so_follower/arm.json');
  assert.deepEqual(
    calibrationCandidates(loc).map((c) => c.path),
    ['/cal/robots/so_follower/arm.json', '/cal/robots/so100_follower/arm.json', '/cal/robots/so101_follower/arm.json'],
  );
  const withDir = { ...loc, calibrationDir: '~/mine' };
  assert.equal(calibrationPath(withDir), '/home/u/mine/arm.json');
  assert.deepEqual(
    calibrationCandidates(withDir).map((c) => c.origin),
    ['calibration_dir'],
  );
  for (const bad of ['', '..', 'a/b', 'a\\b'])
    assert.throws(() => calibrationPath({ ...loc, robotId: bad }), InvalidRobotIdError);
});

test('write then read round-trips through the new folder, in LeRobot format, with no temp files left', async () => {
  const h = await home('roundtrip');
  const loc: CalibrationLocation = { robotId: 'follower_1', env: { HF_HOME: join(h, 'hf') }, homeDir: h };
  const path = await writeCalibrationFile(loc, CAL);
  assert.equal(path, join(h, 'hf', 'lerobot', 'calibration', 'robots', 'so_follower', 'follower_1.json'));
  assert.equal(await readFile(path, 'utf8'), serializeCalibration(CAL));
  assert.deepEqual(await readdir(join(path, '..')), ['follower_1.json']);
  const loaded = await readCalibrationFile(loc);
  assert.deepEqual(loaded.calibration, CAL);
  assert.equal(loaded.origin, 'default');
  assert.equal(loaded.path, path);
  assert.match(loaded.note, /Using calibration .*follower_1\.json/);
  assert.equal(await findCalibrationFile(loc), path);
  // overwriting replaces the file whole
  const changed = { ...CAL, gripper: { ...CAL.gripper, range_max: 3333 } };
  await writeCalibrationFile(loc, changed);
  assert.equal((await readCalibrationFile(loc)).calibration.gripper.range_max, 3333);
  assert.deepEqual(await readdir(join(path, '..')), ['follower_1.json']);
});

test('falls back to the pre-v0.4.3 folders and says which file was used; the new folder wins when present', async () => {
  const h = await home('legacy');
  const env = { HF_LEROBOT_CALIBRATION: join(h, 'cal') };
  const loc: CalibrationLocation = { robotId: 'old', env, homeDir: h };
  const legacy101 = join(h, 'cal', 'robots', 'so101_follower', 'old.json');
  await put(legacy101, serializeCalibration(CAL));
  let loaded = await readCalibrationFile(loc);
  assert.equal(loaded.origin, 'legacy');
  assert.equal(loaded.path, legacy101);
  assert.match(
    loaded.note,
    /so101_follower\/old\.json from a pre-v0\.4\.3 LeRobot folder.*saves to .*so_follower\/old\.json/,
  );
  const legacy100 = join(h, 'cal', 'robots', 'so100_follower', 'old.json');
  await put(legacy100, serializeCalibration({ ...CAL, elbow_flex: { ...CAL.elbow_flex, range_min: 1111 } }));
  loaded = await readCalibrationFile(loc);
  assert.equal(loaded.path, legacy100);
  assert.equal(loaded.calibration.elbow_flex.range_min, 1111);
  // saving never writes into a legacy folder
  const written = await writeCalibrationFile(loc, CAL);
  assert.equal(written, join(h, 'cal', 'robots', 'so_follower', 'old.json'));
  loaded = await readCalibrationFile(loc);
  assert.equal(loaded.origin, 'default');
  assert.equal(loaded.calibration.elbow_flex.range_min, CAL.elbow_flex.range_min);
});

test('calibration_dir is used alone: no fallback to the HF folders', async () => {
  const h = await home('configdir');
  const env = { HF_LEROBOT_CALIBRATION: join(h, 'cal') };
  await put(join(h, 'cal', 'robots', 'so_follower', 'arm.json'), serializeCalibration(CAL));
  const loc: CalibrationLocation = { robotId: 'arm', env, homeDir: h, calibrationDir: join(h, 'mine') };
  await assert.rejects(
    readCalibrationFile(loc),
    (e: unknown) =>
      e instanceof CalibrationNotFoundError && e.tried.length === 1 && e.tried[0] === join(h, 'mine', 'arm.json'),
  );
  const written = await writeCalibrationFile(loc, CAL);
  assert.equal(written, join(h, 'mine', 'arm.json'));
  assert.equal((await readCalibrationFile(loc)).origin, 'calibration_dir');
});

test('a missing file lists every path tried and the fix', async () => {
  const h = await home('missing');
  const loc: CalibrationLocation = { robotId: 'ghost', env: {}, homeDir: h };
  assert.equal(await findCalibrationFile(loc), undefined);
  await assert.rejects(readCalibrationFile(loc), (e: unknown) => {
    assert.ok(e instanceof CalibrationNotFoundError);
    assert.equal(e.robotId, 'ghost');
    const base = join(h, '.cache', 'huggingface', 'lerobot', 'calibration', 'robots');
    assert.deepEqual(
      e.tried,
      ['so_follower', 'so100_follower', 'so101_follower'].map((f) => join(base, f, 'ghost.json')),
    );
    for (const p of e.tried) assert.ok(e.message.includes(p));
    assert.match(e.message, /so100 calibrate/);
    assert.match(e.message, /calibration_dir/);
    return true;
  });
});

test('a malformed file is reported with its path; a directory in the way is an access error', async () => {
  const h = await home('bad');
  const loc: CalibrationLocation = { robotId: 'arm', env: { HF_LEROBOT_CALIBRATION: join(h, 'cal') }, homeDir: h };
  const path = calibrationPath(loc);
  await put(path, '{ "shoulder_pan": ');
  await assert.rejects(
    readCalibrationFile(loc),
    (e: unknown) => e instanceof CalibrationFileError && e.source === path && e.line === 1 && e.message.includes(path),
  );
  await rm(path);
  await mkdir(path);
  await assert.rejects(
    readCalibrationFile(loc),
    (e: unknown) => e instanceof CalibrationAccessError && e.operation === 'read' && e.code === 'EISDIR',
  );
  await assert.rejects(
    writeCalibrationFile(loc, CAL),
    (e: unknown) => e instanceof CalibrationAccessError && e.operation === 'write' && e.path === path,
  );
  // the failed write left no temp file behind
  assert.deepEqual(
    (await readdir(join(path, '..'))).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

/**
 * Root writes through any mode bits, so as root the write runs in a child process as the unprivileged `nobody`
 * (uid/gid 65534), to which the permission check applies. The store is bundled into `dir` first (the checkout may sit
 * where nobody cannot read, e.g. under /root). Returns the error the write threw, as JSON, or null.
 */
async function writeAsNobody(
  loc: CalibrationLocation,
  dir: string,
): Promise<{ name: string; code?: string; message: string } | null> {
  const bundle = join(dir, 'store.cjs');
  await build({
    entryPoints: [join(projectRoot, 'src/io/calibration/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: bundle,
    logLevel: 'error',
  });
  const script = `
    require(${JSON.stringify(bundle)}).writeCalibrationFile(${JSON.stringify(loc)}, ${JSON.stringify(CAL)}).then(
      () => console.log('null'),
      (e) => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })),
    );`;
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: dir,
    uid: 65534,
    gid: 65534,
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(
    r.status,
    0,
    `node (${process.execPath}) running as nobody failed:\n${r.error ?? ''}${r.stdout}${r.stderr}`,
  );
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('an unwritable folder gives an access error naming the path', async () => {
  const h = await home('readonly');
  const dir = join(h, 'ro');
  await mkdir(dir);
  await chmod(dir, 0o555);
  try {
    const loc: CalibrationLocation = { robotId: 'arm', env: {}, homeDir: h, calibrationDir: dir };
    if (process.getuid?.() === 0) {
      await chmod(tmp, 0o755); // nobody must reach the folder, to be refused there
      await chmod(h, 0o755);
      const e = await writeAsNobody(loc, h);
      assert.equal(e?.name, 'CalibrationAccessError', JSON.stringify(e));
      assert.equal(e.code, 'EACCES');
      assert.ok(e.message.includes(join(dir, 'arm.json')), e.message);
    } else {
      await assert.rejects(
        writeCalibrationFile(loc, CAL),
        (e: unknown) =>
          e instanceof CalibrationAccessError && e.code === 'EACCES' && e.message.includes(join(dir, 'arm.json')),
      );
    }
  } finally {
    await chmod(dir, 0o700);
  }
});
