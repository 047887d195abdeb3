// episodeLabel: what the Episode Viewer and Compare call a record, from its folder name and episode.json's model and
// config as recorded (anything, for an old or hand-edited record).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { episodeLabel } from '../../src/core/episodeView';

const name = '2026-12-05T14-03-22Z';
const sim = (seed: unknown) => ({ robot: { port: 'sim', seed } });

test('a simulated episode is named by its model and seed, then its folder', () => {
  assert.equal(episodeLabel({ name, model: 'pi0_fast', config: sim(12) }), `pi0_fast · seed 12 · ${name}`);
  assert.equal(episodeLabel({ name, model: 'pi0', config: sim(0) }), `pi0 · seed 0 · ${name}`, 'seed 0 is a seed');
});

test('a real arm has no seed: the model and the folder', () => {
  const config = { robot: { port: '/dev/ttyACM0', seed: 1 } };
  assert.equal(episodeLabel({ name, model: 'pi0_fast', config }), `pi0_fast · ${name}`);
});

test('a record whose config says no usable seed: the model and the folder', () => {
  for (const config of [undefined, null, {}, { robot: null }, { robot: { port: 'sim' } }, sim('12'), sim(1.5)])
    assert.equal(episodeLabel({ name, model: 'pi0', config }), `pi0 · ${name}`, JSON.stringify(config));
});

test('a record without a model (older ones) keeps its folder name alone, seed or not', () => {
  for (const model of [undefined, null, '', '   ', 7, { name: 'pi0' }])
    assert.equal(episodeLabel({ name, model, config: sim(12) }), name, JSON.stringify(model));
});

test('a renamed folder or a second record of the same second keeps its own name', () => {
  assert.equal(episodeLabel({ name: `${name}-2`, model: 'pi0', config: sim(3) }), `pi0 · seed 3 · ${name}-2`);
  assert.equal(episodeLabel({ name: 'good grasp', model: ' pi0 ', config: undefined }), 'pi0 · good grasp');
});
