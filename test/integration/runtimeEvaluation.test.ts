// A campaign run by the runtime process over its socket (runEvaluation), as the editor runs it: bad requests are
// refused before anything is written, the campaign owns the arm while it runs, a runtime killed outright mid-
// campaign loses no finished episode and Resume (runEvaluation { resume }) continues it, and Cancel stops one. On the
// embedded default a campaign runs on virtual time on a session of its own (the runtime's stays idle), and a
// cancelled one resumes there; an operator-labelled one stays on wall time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type So100Config } from '../../src/core/config';
import type { EvaluationAnswer, EvaluationEnded, EvaluationProgress } from '../../src/core/rpc';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';
import { servePids } from '../helpers/processTable';

const root = path.resolve(__dirname, '../..');

/** The embedded default with short episodes: a campaign of a few episodes takes seconds. */
function tinyConfig(): So100Config {
  const d = defaultConfig();
  return { ...d, maxSteps: 45 };
}

async function startRuntime(log: string[]): Promise<RuntimeProcess> {
  const rt = await RuntimeProcess.start({
    command: process.execPath,
    args: ['--import', 'tsx', path.join(root, 'src/runtime/main.ts')],
    workspace: root,
    onLog: (l) => log.push(l),
  });
  await rt.client.call('subscribe', { ticks: false, chunks: false, frameFps: 0 });
  return rt;
}

async function resultKeys(out: string): Promise<string[]> {
  const text = await readFile(path.join(out, 'results.csv'), 'utf8').catch(() => '');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split(',').slice(0, 2).join('@'));
}

/** Policy servers the campaign started (their ports are in the runtime's log); left behind by a killed runtime. */
async function killServers(log: readonly string[]): Promise<void> {
  const ports = [...log.join('\n').matchAll(/policy server on 127\.0\.0\.1:(\d+)/g)].map((m) => m[1]);
  for (const pid of servePids(root, ports))
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
}

test('runEvaluation: refused requests, a killed runtime resumed without loss, a cancelled campaign', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-runtime-eval-'));
  const out = path.join(dir, 'campaign');
  const log: string[] = [];
  let rt = await startRuntime(log);
  try {
    const config = tinyConfig();
    await assert.rejects(
      rt.client.call('runEvaluation', { config, models: ['pi0'], episodes: 0, outDir: out }),
      /at least 1 episode/,
    );
    await assert.rejects(
      rt.client.call('runEvaluation', { config, models: ['pi9'], episodes: 1, outDir: out }),
      /unknown model 'pi9'; so100\.json has pi0, pi0_fast/,
    );
    await assert.rejects(rt.client.call('runEvaluation', { config, resume: dir }), /campaign\.json is missing/);
    assert.ok(!existsSync(out), 'nothing written for a refused request');

    await assert.rejects(
      rt.client.call('runEvaluation', { config, resume: out, clock: 'wall' }),
      /"clock" and "resume" exclude each other/,
    );
    // Wall time (on the runtime's own session, its policy servers started): the path a real arm takes.
    const firstRow = rt.client.next('evaluationProgress', () => true, 180_000);
    // Every host learns from the state event that a campaign drives the session (its commands follow).
    const campaignState = rt.client.next('state', (s) => s.evaluation === out, 60_000);
    const started = await rt.client.call('runEvaluation', {
      config,
      models: ['pi0', 'pi0_fast'],
      episodes: 2,
      seed: 21,
      outDir: out,
      clock: 'wall',
    });
    assert.deepEqual(started, { outDir: out, models: ['pi0', 'pi0_fast'], total: 4, done: 0 });
    const p: EvaluationProgress = await firstRow;
    assert.equal(p.done, 1);
    assert.equal(p.total, 4);
    assert.deepEqual([p.episode.model, p.episode.seed], ['pi0', 21]);
    assert.deepEqual(await resultKeys(out), ['pi0@21'], 'the row is on disk when its progress event comes');
    await campaignState;
    assert.equal((await rt.client.call('status', {})).evaluation, out);
    // The campaign owns the arm: a Run Episode meanwhile is refused with what to do.
    await assert.rejects(rt.client.call('runEpisode', {}), /an evaluation campaign is running; cancel it first/);
    await assert.rejects(
      rt.client.call('stop', {}),
      /an evaluation campaign is running/,
      'a stopped episode would count',
    );

    // Killed outright (no handler runs): what results.csv holds is all that counts.
    process.kill(rt.pid!, 'SIGKILL');
    await rt.exited;
    await killServers(log);
    const before = await resultKeys(out);
    assert.ok(before.length >= 1 && before.length < 4, `killed mid-campaign: ${before.join(' ')}`);

    log.length = 0;
    rt = await startRuntime(log);
    const ended = rt.client.next('evaluationEnded', () => true, 300_000);
    const resumed = await rt.client.call('runEvaluation', { config, resume: out });
    // From the reply on every state names the campaign, until the one that says it ended.
    const released = rt.client.next('state', (s) => s.evaluation === undefined, 300_000);
    assert.deepEqual(resumed, { outDir: out, models: ['pi0', 'pi0_fast'], total: 4, done: before.length });
    const end: EvaluationEnded = await ended;
    assert.equal(end.outcome, 'completed', end.message);
    await released;
    assert.equal((await rt.client.call('status', {})).evaluation, undefined, 'no campaign after it ended');
    const keys = await resultKeys(out);
    assert.deepEqual(keys, ['pi0@21', 'pi0_fast@21', 'pi0_fast@22', 'pi0@22'], 'the plan, each (model, seed) once');
    assert.deepEqual(keys.slice(0, before.length), before, 'finished rows kept as they were');
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.models.pi0.episodes, 2);
    assert.equal(JSON.parse(await readFile(path.join(out, 'campaign.json'), 'utf8')).clock, 'wall');
    assert.equal((await rt.client.call('status', {})).phase, 'idle', 'the campaign disconnected the arm');
    await assert.rejects(rt.client.call('runEvaluation', { config, resume: out }), /is finished/);

    // Cancel: the campaign stops at once, the episode under way is not counted.
    const out2 = path.join(dir, 'cancelled');
    const cancelled = rt.client.next('evaluationEnded', () => true, 180_000);
    const progressed = rt.client.next('evaluationProgress', () => true, 180_000);
    await rt.client.call('runEvaluation', {
      config,
      models: ['pi0'],
      episodes: 3,
      seed: 5,
      outDir: out2,
      clock: 'wall',
    });
    await progressed;
    await rt.client.call('cancelEvaluation', {});
    const c = await cancelled;
    assert.equal(c.outcome, 'cancelled', c.message);
    assert.match(c.message, /Resume Evaluation… continues it/);
    const rows = await resultKeys(out2);
    assert.ok(rows.length >= 1 && rows.length < 3, rows.join(' '));
    assert.equal((await rt.client.call('status', {})).phase, 'idle');
  } finally {
    await rt.stop().catch(() => undefined);
    await killServers(log);
    await rm(dir, { recursive: true, force: true });
  }
});

test('operator labels: Ready before each episode, Redo runs it again, the label and note are the row, Stop counts nothing', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-runtime-eval-labels-'));
  const log: string[] = [];
  const rt = await startRuntime(log);
  try {
    const config = { ...tinyConfig(), maxSteps: 30 };
    const script: { ask: string; seed: number; answer: EvaluationAnswer; note?: string }[] = [
      { ask: 'ready', seed: 7, answer: 'ready' },
      { ask: 'label', seed: 7, answer: 'redo' },
      { ask: 'ready', seed: 7, answer: 'ready' },
      { ask: 'label', seed: 7, answer: 'failure', note: 'cube slipped, out of reach' },
      { ask: 'ready', seed: 8, answer: 'ready' },
      { ask: 'label', seed: 8, answer: 'success' },
      // The second campaign: stopped at the label.
      { ask: 'ready', seed: 3, answer: 'ready' },
      { ask: 'label', seed: 3, answer: 'stop' },
    ];
    const problems: string[] = [];
    let wrongTried = false;
    rt.client.on('evaluationAsk', (q) => {
      void (async () => {
        if (!wrongTried) {
          wrongTried = true;
          await rt.client
            .call('evaluationAnswer', { answer: 'success' })
            .then(() => problems.push('a label was taken before the episode ran'))
            .catch((err: Error) => {
              if (!/does not answer this question; use ready, stop/.test(err.message)) problems.push(err.message);
            });
        }
        const next = script.shift();
        if (!next || next.ask !== q.ask || next.seed !== q.seed || q.model !== 'pi0') {
          problems.push(`asked ${q.ask} on seed ${q.seed} (${q.model}), expected ${JSON.stringify(next)}`);
          await rt.client.call('evaluationAnswer', { answer: 'stop' });
          return;
        }
        if (q.ask === 'label') assert.ok(q.episode && q.episode.steps > 0, 'the label question says how it ended');
        await rt.client.call('evaluationAnswer', { answer: next.answer, note: next.note });
        // The operator may end an episode early (then labels it): Stop Episode is not refused here.
        if (next.seed === 3 && next.answer === 'ready') await rt.client.call('stop', {});
      })().catch((err: Error) => problems.push(err.message));
    });
    const out = path.join(dir, 'labelled');
    let ended = rt.client.next('evaluationEnded', () => true, 180_000);
    await rt.client.call('runEvaluation', {
      config,
      models: ['pi0'],
      episodes: 2,
      seed: 7,
      outDir: out,
      labels: 'operator',
    });
    const end: EvaluationEnded = await ended;
    assert.deepEqual(problems, []);
    assert.equal(end.outcome, 'completed', end.message);
    const rows = (await readFile(path.join(out, 'results.csv'), 'utf8')).trim().split('\n').slice(1);
    assert.equal(rows.length, 2, rows.join('\n'));
    assert.match(rows[0], /^pi0,7,[^,]+,false,operator,"cube slipped, out of reach",/, 'the failure with its note');
    assert.match(rows[1], /^pi0,8,[^,]+,true,operator,labelled success by the operator,/);
    const manifest = JSON.parse(await readFile(path.join(out, 'campaign.json'), 'utf8'));
    assert.equal(manifest.labels, 'operator', 'a resume keeps asking');
    assert.equal(manifest.clock, 'wall', 'the person watches each episode in real time, on the simulator too');

    const out2 = path.join(dir, 'stopped');
    ended = rt.client.next('evaluationEnded', () => true, 180_000);
    await rt.client.call('runEvaluation', {
      config,
      models: ['pi0'],
      episodes: 1,
      seed: 3,
      outDir: out2,
      labels: 'operator',
    });
    const stopped = await ended;
    assert.deepEqual(problems, []);
    assert.equal(stopped.outcome, 'cancelled', stopped.message);
    assert.equal(await resultKeys(out2).then((k) => k.filter(Boolean).length), 0, 'the stopped episode is not counted');
    assert.equal(script.length, 0);
  } finally {
    await rt.stop().catch(() => undefined);
    await killServers(log);
    await rm(dir, { recursive: true, force: true });
  }
});

test('virtual time by default: the campaign runs on a session of its own, a cancelled one resumes there, the e-stop reaches it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-runtime-eval-virtual-'));
  const log: string[] = [];
  const rt = await startRuntime(log);
  try {
    const config = tinyConfig();
    assert.equal(config.evaluation.clock, 'auto');
    // Telemetry on, as the dashboard asks: none of the campaign's may reach the host, nor its session's state.
    await rt.client.call('subscribe', { ticks: true, chunks: true, frameFps: 0 });
    const seen = { ticks: 0, chunks: 0, phases: new Set<string>() };
    rt.client.on('tick', () => seen.ticks++);
    rt.client.on('chunk', () => seen.chunks++);
    rt.client.on('state', (s) => seen.phases.add(s.phase));
    const operatorVirtual = rt.client.call('runEvaluation', {
      config,
      models: ['pi0'],
      episodes: 1,
      outDir: path.join(dir, 'refused'),
      labels: 'operator',
      clock: 'virtual',
    });
    await assert.rejects(operatorVirtual, /an operator-labelled campaign runs on wall time/);

    // A new campaign the editor's way (no clock asked: so100.json's auto), then cancelled after its first row.
    const out = path.join(dir, 'campaign');
    const firstRow = rt.client.next('evaluationProgress', () => true, 180_000);
    let ended = rt.client.next('evaluationEnded', () => true, 180_000);
    const started = await rt.client.call('runEvaluation', {
      config,
      models: ['pi0', 'pi0_fast'],
      episodes: 2,
      seed: 21,
      outDir: out,
    });
    assert.deepEqual(started, { outDir: out, models: ['pi0', 'pi0_fast'], total: 4, done: 0 });
    const p: EvaluationProgress = await firstRow;
    const manifest = JSON.parse(await readFile(path.join(out, 'campaign.json'), 'utf8'));
    assert.equal(manifest.clock, 'virtual', 'the embedded default runs on virtual time');
    assert.deepEqual([p.done, p.episode.model, p.episode.seed], [1, 'pi0', 21]);
    // The runtime's own session was never connected by the campaign: it is where the editor left it.
    assert.equal((await rt.client.call('status', {})).phase, 'idle');
    await assert.rejects(rt.client.call('runEpisode', {}), /an evaluation campaign is running; cancel it first/);
    await rt.client.call('cancelEvaluation', {});
    let end: EvaluationEnded = await ended;
    assert.equal(end.outcome, 'cancelled', end.message);
    const before = await resultKeys(out);
    assert.ok(before.length >= 1 && before.length < 4, `cancelled after the first row: ${before.join(' ')}`);

    // Resumed from the editor (Resume Evaluation… sends the folder and the current config): it runs, not refused.
    ended = rt.client.next('evaluationEnded', () => true, 180_000);
    const resumed = await rt.client.call('runEvaluation', { config, resume: out });
    assert.deepEqual(resumed, { outDir: out, models: ['pi0', 'pi0_fast'], total: 4, done: before.length });
    end = await ended;
    assert.equal(end.outcome, 'completed', end.message);
    const keys = await resultKeys(out);
    assert.deepEqual(keys, ['pi0@21', 'pi0_fast@21', 'pi0_fast@22', 'pi0@22'], 'the plan, each (model, seed) once');
    assert.deepEqual(keys.slice(0, before.length), before, 'finished rows kept as they were');
    assert.equal(JSON.parse(await readFile(path.join(out, 'campaign.json'), 'utf8')).clock, 'virtual');
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'));
    assert.deepEqual([summary.models.pi0.episodes, summary.models.pi0_fast.episodes], [2, 2]);
    const rows = (await readFile(path.join(out, 'results.csv'), 'utf8')).trim().split('\n').slice(1);
    for (const r of rows) assert.equal(r.split(',')[10], '0', `no late tick under virtual time: ${r}`);

    // The runtime's log has the campaign's lines; no policy server process was started.
    const text = log.join('\n');
    assert.match(text, /Virtual time: the simulated arm and the built-in models run faster than real time/);
    assert.match(text, /\b1\/4 {2}seed 21 {2}pi0 /);
    assert.match(text, /Resuming .*: \d of 4 episodes done/);
    assert.doesNotMatch(text, /policy server on/);
    assert.deepEqual([seen.ticks, seen.chunks], [0, 0], 'no telemetry of the campaign reaches the host');
    // States still come (the runtime's own session, saying a campaign runs), but never the campaign session's phases.
    assert.deepEqual([...seen.phases], ['idle'], "the campaign's session reports no state as the runtime's");
    assert.equal((await rt.client.call('status', {})).phase, 'idle');

    // The e-stop reaches the campaign's own arm, and says so (the runtime's session holds none).
    const out2 = path.join(dir, 'estopped');
    const progressed = rt.client.next('evaluationProgress', () => true, 180_000);
    ended = rt.client.next('evaluationEnded', () => true, 180_000);
    await rt.client.call('runEvaluation', { config, models: ['pi0'], episodes: 3, seed: 5, outDir: out2 });
    await progressed;
    assert.deepEqual(await rt.client.call('estop', {}), { torqueOff: true, failedMotors: [] });
    end = await ended;
    assert.notEqual(end.outcome, 'completed', end.message);
    assert.ok((await resultKeys(out2)).length < 3, 'the campaign ended at the e-stop');
  } finally {
    await rt.stop().catch(() => undefined);
    await killServers(log);
    await rm(dir, { recursive: true, force: true });
  }
});
