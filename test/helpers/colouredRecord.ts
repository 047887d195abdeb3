// A real episode record (`so100 episode`) whose cameras are re-recorded through the real frame recorder with a solid
// colour per tick that names the tick, some ticks left out as frames the encoder could not take are: every reader of
// recorded frames can then be checked for which tick's frame it hands out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NdArray } from '../../src/core/ndarray';
import type { WireValue } from '../../src/core/protocols';
import { CameraFrameRecorder, type RecordedCamera } from '../../src/io/recording/frameRecorder';
import { runCli } from './cliProcess';

const LEVELS = [16, 96, 176, 240];

/** The colour that names a tick (64 colours, each channel one of LEVELS). */
export function colourOf(tick: number): [number, number, number] {
  return [LEVELS[tick % 4], LEVELS[(tick >> 2) % 4], LEVELS[(tick >> 4) % 4]];
}

/** The tick a decoded colour names (modulo 64), or -1 when a channel is nowhere near a level. */
export function tickOf(rgb: ArrayLike<number>): number {
  let tick = 0;
  for (let c = 0; c < 3; c++) {
    const i = LEVELS.findIndex((l) => Math.abs(l - rgb[c]) <= 24);
    if (i < 0) return -1;
    tick += i << (2 * c);
  }
  return tick;
}

/** The tick named by the centre pixel of an RGB frame. */
export function frameTick(frame: { width: number; height: number; data: Uint8Array }): number {
  const at = ((frame.height >> 1) * frame.width + (frame.width >> 1)) * 3;
  return tickOf(frame.data.subarray(at, at + 3));
}

export function solidFrame(width: number, height: number, tick: number) {
  const data = new Uint8Array(width * height * 3);
  const rgb = colourOf(tick);
  for (let p = 0; p < data.length; p += 3) data.set(rgb, p);
  return { width, height, data };
}

export function videoSize(file: string): { width: number; height: number } {
  const r = spawnSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  const s = (JSON.parse(r.stdout) as { streams: { width: number; height: number }[] }).streams[0];
  return { width: s.width, height: s.height };
}

/** The ticks of a camera's frame index. */
export async function indexTicks(dir: string, camera: string): Promise<number[]> {
  const lines = (await readFile(join(dir, `${camera}.ticks.csv`), 'utf8')).trimEnd().split('\n').slice(1);
  return lines.map((l) => Number(l.split(',')[1]));
}

export interface ColouredRecord {
  /** The episode folder. */
  readonly episode: string;
  /** Its mp4 cameras (front, wrist), with their frame sizes. */
  readonly cameras: RecordedCamera[];
  /** Frame → tick of the front camera (the wrist's is the same), as the recorder wrote it. */
  readonly index: number[];
}

/**
 * Records a `steps`-tick episode under `root`, then replaces its cameras' mp4s and frame indexes with ones whose frame
 * of tick t is colourOf(t), the `dropped` ticks' frames never reaching the recorder.
 */
export async function recordColouredEpisode(
  root: string,
  steps: number,
  dropped: ReadonlySet<number>,
): Promise<ColouredRecord> {
  const r = await runCli(['episode', '--steps', String(steps), '--record', join(root, 'rec')], 200_000);
  assert.ok(r.code === 0 || r.code === 1, r.stdout + r.stderr);
  const episode = join(root, 'rec', (await readdir(join(root, 'rec')))[0]);
  const cameras = (await readdir(episode))
    .filter((f) => f.endsWith('.mp4'))
    .sort()
    .map((f) => ({ name: f.slice(0, -4), ...videoSize(join(episode, f)) }));
  assert.deepEqual(
    cameras.map((c) => c.name),
    ['front', 'wrist'],
  );
  const scratch = join(root, 'scratch');
  await mkdir(scratch);
  const rec = await CameraFrameRecorder.create(scratch, cameras, { fps: 30 });
  for (let tick = 0; tick < steps; tick++) {
    await rec.room();
    if (dropped.has(tick)) continue;
    rec.record(tick, Object.fromEntries(cameras.map((c) => [c.name, solidFrame(c.width, c.height, tick)])));
  }
  const summary = await rec.finish();
  assert.equal(summary.mode, 'mp4', summary.why);
  for (const c of cameras)
    for (const f of [`${c.name}.mp4`, `${c.name}.ticks.csv`]) await copyFile(join(scratch, f), join(episode, f));
  const index = await indexTicks(episode, 'front');
  assert.deepEqual(await indexTicks(episode, 'wrist'), index);
  return { episode, cameras, index };
}

/** The ticks named by the centre pixel of each uint8 image in an observation, in key order. */
export function imageTicks(observation: WireValue): number[] {
  const out: number[] = [];
  const visit = (v: WireValue) => {
    if (v instanceof NdArray) {
      if (v.dtype === '|u1' && v.shape.length === 3 && v.shape[2] === 3) {
        const [h, w] = v.shape;
        const at = ((h >> 1) * w + (w >> 1)) * 3;
        out.push(tickOf(v.data.subarray(at, at + 3)));
      }
    } else if (v && typeof v === 'object' && !ArrayBuffer.isView(v))
      for (const k of Object.keys(v).sort()) visit((v as Record<string, WireValue>)[k]);
  };
  visit(observation);
  return out;
}
