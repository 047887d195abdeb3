// The phase table is the one source of "which command in which phase": its derived lists are the behaviour we
// decided, and package.json's clauses are written from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  campaignRefusal,
  COMMAND_PHASES,
  commandEnabled,
  commandPhases,
  commandRefusal,
  commandWhenClause,
  METHODS_DURING_CAMPAIGN,
  offeredDuringCampaign,
  METHOD_PHASES,
  phaseRefusal,
  RUNTIME_METHODS,
  RUNTIME_PHASES,
  type CommandName,
} from '../../src/core/rpc';
import { manifestFromTables } from '../../scripts/manifestFromTables';

const root = join(__dirname, '../..');

test('the decided phases of each command', () => {
  const expected: Record<CommandName, readonly string[]> = {
    // An e-stopped arm is connected again by Run (connect re-enables torque deliberately), as the e-stop message says.
    runEpisode: ['idle', 'connected', 'estopped'],
    // Step on a running episode pauses it; at rest it connects and starts a paused episode.
    step: ['idle', 'connected', 'running', 'paused', 'estopped'],
    pause: ['running'],
    resume: ['paused'],
    stop: ['running', 'paused'],
    emergencyStop: [...RUNTIME_PHASES],
    // Reset stops an episode first and connects an arm at rest first.
    reset: ['idle', 'connected', 'running', 'paused', 'estopped'],
    connectArm: ['idle', 'connected', 'estopped'],
    disconnectArm: ['connected', 'estopped'],
    calibrateArm: ['idle', 'connected', 'estopped', 'calibrating'],
    debugEpisode: ['idle', 'connected', 'estopped'],
    // A campaign connects the arm itself: only from rest.
    runEvaluation: ['idle', 'estopped'],
    resumeEvaluation: ['idle', 'estopped'],
  };
  for (const name of Object.keys(COMMAND_PHASES) as CommandName[])
    assert.deepEqual(commandPhases(name), expected[name], name);
});

test('clauses: listed as exclusions when offered while idle (an unset key is idle), else as the phases', () => {
  assert.equal(commandWhenClause('emergencyStop'), undefined);
  assert.equal(commandWhenClause('pause'), 'so100.runtimePhase == running && !so100.evaluationRunning');
  // A when clause binds && tighter than ||: the campaign term goes into every alternative.
  assert.equal(
    commandWhenClause('stop'),
    'so100.runtimePhase == running && !so100.evaluationRunning || ' +
      'so100.runtimePhase == paused && !so100.evaluationRunning',
  );
  assert.equal(
    commandWhenClause('runEpisode'),
    'so100.runtimePhase != connecting && so100.runtimePhase != running && so100.runtimePhase != paused && ' +
      'so100.runtimePhase != resetting && so100.runtimePhase != calibrating && !so100.evaluationRunning',
  );
  assert.match(commandWhenClause('debugEpisode')!, /^isWorkspaceTrusted && so100\.runtimePhase != connecting/);
});

test('while a campaign runs only what a campaign allows is offered: Emergency Stop, nothing that drives the arm', () => {
  const offered = (Object.keys(COMMAND_PHASES) as CommandName[]).filter((c) =>
    RUNTIME_PHASES.some((p) => commandEnabled(c, p, true)),
  );
  assert.deepEqual(offered, ['emergencyStop']);
  for (const c of Object.keys(COMMAND_PHASES) as CommandName[]) {
    assert.equal(offeredDuringCampaign(c), METHODS_DURING_CAMPAIGN.has(COMMAND_PHASES[c].method), c);
    // Its clause needs no campaign exactly when a campaign would refuse it.
    assert.equal(commandWhenClause(c)?.includes('!so100.evaluationRunning') ?? false, !offeredDuringCampaign(c), c);
  }
  assert.match(commandRefusal('runEpisode', 'idle', true)!, /an evaluation campaign is running; cancel it first/);
  assert.equal(commandRefusal('runEpisode', 'idle', false), undefined);
  assert.equal(commandRefusal('emergencyStop', 'running', true), undefined);
});

test('package.json clauses are the generated ones (run `npm run manifest` when this fails)', () => {
  const text = readFileSync(join(root, 'package.json'), 'utf8');
  assert.equal(text, manifestFromTables(text));
});

test('the generator rewrites a stale clause and removes one from an always-offered command', () => {
  const stale = JSON.stringify({
    contributes: {
      commands: [
        { command: 'so100.pause', enablement: 'true' },
        { command: 'so100.emergencyStop', enablement: 'false' },
        { command: 'so100.other', enablement: 'x' },
      ],
      menus: { commandPalette: [{ command: 'so100.reset', when: 'false' }] },
    },
  });
  const out = JSON.parse(manifestFromTables(stale));
  assert.deepEqual(out.contributes.commands, [
    { command: 'so100.pause', enablement: 'so100.runtimePhase == running && !so100.evaluationRunning' },
    { command: 'so100.emergencyStop' },
    { command: 'so100.other', enablement: 'x' },
  ]);
  assert.equal(out.contributes.menus.commandPalette[0].when, commandWhenClause('reset'));
});

test('every method has an entry, refusals name what to do first, no-op methods never refuse', () => {
  assert.equal(RUNTIME_METHODS.length, 26);
  assert.ok(RUNTIME_METHODS.includes('checkArmDriver'));
  assert.match(
    phaseRefusal('runEvaluation', 'connected')!,
    /^cannot run an evaluation: the arm is connected; disconnect/,
  );
  assert.equal(phaseRefusal('runEvaluation', 'estopped'), undefined);
  assert.equal(phaseRefusal('cancelEvaluation', 'idle'), undefined);
  // While a campaign runs it owns the arm: watching, e-stopping and cancelling stay open, driving does not.
  for (const m of ['status', 'subscribe', 'estop', 'cancelEvaluation', 'shutdown', 'replayEpisode'] as const)
    assert.equal(campaignRefusal(m), undefined, m);
  for (const m of ['runEpisode', 'reset', 'swapModel', 'applyConfig', 'disconnect', 'stop', 'runEvaluation'] as const)
    assert.match(campaignRefusal(m)!, /^cannot .+: an evaluation campaign is running; cancel it first/, m);
  assert.equal(
    phaseRefusal('runEpisode', 'estopped'),
    'cannot run an episode: the arm was emergency-stopped; connect again to re-enable torque',
  );
  assert.equal(phaseRefusal('runEpisode', 'connected'), undefined);
  assert.equal(phaseRefusal('pause', 'idle'), 'cannot pause: no episode is running');
  assert.match(phaseRefusal('connect', 'calibrating')!, /calibration holds the arm/);
  assert.match(phaseRefusal('calibrate', 'calibrating')!, /already in progress/);
  for (const m of RUNTIME_METHODS)
    if (METHOD_PHASES[m].elsewhere === 'no-op')
      for (const p of RUNTIME_PHASES) assert.equal(phaseRefusal(m, p), undefined, `${m} in ${p}`);
});
