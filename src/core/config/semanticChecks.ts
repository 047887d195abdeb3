// Checks the schema cannot express: names that must refer to other entries, settings that depend on each other, and
// combinations that run but surprise (warnings). They run on the resolved config and point into the text.
import { CAMERA_ROLES } from '../convert/cameraRoles';
import { MODEL_PROFILES } from '../policy/modelProfiles';
import { ChunkSchedulerConfigError } from '../chunking/chunkSchedulerConfigError';
import { checkSeamOptions } from '../chunking/seamOptions';
import { toSeamOptions } from './configMappers';
import { formatPath, type ProblemList } from './configProblem';
import type { So100Config } from './configTypes';
import type { ValueNode } from './jsoncParser';
import { apiKeyTransportProblem } from './apiKeyRule';
import { didYouMean } from './nameSuggestion';
import { modelNamed } from './resolveConfig';
import { KEYED_PROTOCOL_NAMES, POLICY_PROTOCOLS, apiKeyProtocolProblem } from '../protocols/policyProtocols';
import { isWritten, keySpan, valueSpan } from './treeLookup';
import { isSimulatedArm } from './simulatedArm';

/** Adds every semantic problem of `config` (which came from `root`) to `problems`. */
export function checkSemantics(config: So100Config, root: ValueNode, problems: ProblemList): void {
  checkActiveModel(config, root, problems);
  checkCameras(config, root, problems);
  checkConverter(config, root, problems);
  checkChunking(config, root, problems);
  checkRecord(config, root, problems);
  checkApiKeys(config, root, problems);
  checkEvaluation(config, root, problems);
}

/** A key is sent only in its protocol's header, and only where it cannot be read on the way (see apiKeyRule). */
function checkApiKeys(config: So100Config, root: ValueNode, problems: ProblemList): void {
  for (const [name, m] of Object.entries(config.models)) {
    if (m.kind !== 'remote' || m.apiKeyEnv === undefined) continue;
    const at = ['models', name, 'apiKeyEnv'];
    const wrongProtocol = apiKeyProtocolProblem(m.protocol);
    if (wrongProtocol) {
      const fix = KEYED_PROTOCOL_NAMES.map((n) => `"protocol": "${n}"`).join(' or ');
      problems.add(
        at,
        `${formatPath(at)}: ${wrongProtocol}; remove it${fix ? `, or set ${fix}` : ''}`,
        keySpan(root, at),
      );
      continue;
    }
    const unsafe = apiKeyTransportProblem(name, m.url);
    if (unsafe) problems.add(['models', name, 'url'], unsafe, valueSpan(root, ['models', name, 'url']));
  }
}

function checkEvaluation(config: So100Config, root: ValueNode, problems: ProblemList): void {
  const names = Object.keys(config.models);
  config.evaluation.models.forEach((m, i) => {
    if (modelNamed(config.models, m)) return;
    problems.add(
      ['evaluation', 'models', i],
      `evaluation.models[${i}] ${JSON.stringify(m)} is not a model; use one of ${names.map((n) => JSON.stringify(n)).join(', ')}${didYouMean(m, names)}`,
      valueSpan(root, ['evaluation', 'models', i]),
    );
  });
}

function checkActiveModel(config: So100Config, root: ValueNode, problems: ProblemList): void {
  const { activeModel, models, requestTimeoutMs } = config;
  const model = modelNamed(models, activeModel);
  if (!model) {
    const names = Object.keys(models);
    problems.add(
      ['activeModel'],
      `activeModel ${JSON.stringify(activeModel)} is not a model; use one of ${names.map((n) => JSON.stringify(n)).join(', ')}${didYouMean(activeModel, names)}`,
      valueSpan(root, ['activeModel']),
    );
    return;
  }
  if (model.kind === 'builtin') {
    const latency = model.latencyMs ?? MODEL_PROFILES[model.profile].latencyMs;
    if (latency >= requestTimeoutMs) {
      problems.add(
        ['models', activeModel, 'latencyMs'],
        `${formatPath(['models', activeModel, 'latencyMs'])} (${latency} ms) must be shorter than requestTimeoutMs (${requestTimeoutMs} ms), or every request times out`,
        valueSpan(root, ['models', activeModel, 'latencyMs']),
      );
    }
  }
}

function checkCameras(config: So100Config, root: ValueNode, problems: ProblemList): void {
  const names = Object.keys(config.cameras);
  if (names.length === 0) {
    problems.add(
      ['cameras'],
      'cameras is empty; the policy gets black images in its required image slots',
      keySpan(root, ['cameras']),
      'warning',
    );
  }
  const realArm = !isSimulatedArm(config.robot);
  if (realArm && !isWritten(root, ['cameras'])) {
    problems.add(
      ['cameras'],
      `the default cameras are synthetic: they render the simulated scene, not what the arm on ${config.robot.port} sees; add your cameras under "cameras"`,
      valueSpan(root, ['robot', 'port']),
      'warning',
    );
  }
  const devices = new Map<string, string>();
  for (const name of names) {
    const camera = config.cameras[name];
    if (camera.kind === 'synthetic') {
      if (name !== 'front' && name !== 'wrist' && !isWritten(root, ['cameras', name, 'view'])) {
        problems.add(
          ['cameras', name, 'view'],
          `synthetic camera ${JSON.stringify(name)} needs "view": "front" or "wrist" (only cameras named front or wrist get theirs from the name)`,
          keySpan(root, ['cameras', name]),
        );
      }
      if (realArm && isWritten(root, ['cameras'])) {
        problems.add(
          ['cameras', name],
          `camera ${JSON.stringify(name)} is synthetic: it renders the simulated scene, not what the arm on ${config.robot.port} sees`,
          keySpan(root, ['cameras', name]),
          'warning',
        );
      }
      continue;
    }
    const other = devices.get(camera.device);
    if (other !== undefined) {
      problems.add(
        ['cameras', name, 'device'],
        `${formatPath(['cameras', name, 'device'])} ${JSON.stringify(camera.device)} is already used by camera ${JSON.stringify(other)}; a device can be opened once`,
        valueSpan(root, ['cameras', name, 'device']),
      );
    } else devices.set(camera.device, name);
    if (camera.fps < config.fps) {
      problems.add(
        ['cameras', name, 'fps'],
        `${formatPath(['cameras', name, 'fps'])} (${camera.fps}) is below the control rate fps (${config.fps}); the policy sees repeated frames`,
        valueSpan(root, ['cameras', name, 'fps']),
        'warning',
      );
    }
  }
}

function checkConverter(config: So100Config, root: ValueNode, problems: ProblemList): void {
  const { converter, cameras } = config;
  const names = Object.keys(cameras);
  for (const role of CAMERA_ROLES) {
    const camera = converter.cameras?.[role];
    if (camera !== undefined && !Object.prototype.hasOwnProperty.call(cameras, camera)) {
      problems.add(
        ['converter', 'cameras', role],
        `converter.cameras.${role} ${JSON.stringify(camera)} is not a configured camera; use ${names.length ? names.map((n) => JSON.stringify(n)).join(', ') : 'a name under "cameras"'}${didYouMean(camera, names)}`,
        valueSpan(root, ['converter', 'cameras', role]),
      );
    }
  }
  const { primary, secondary } = converter.cameras ?? {};
  if (primary !== undefined && primary === secondary) {
    problems.add(
      ['converter', 'cameras', 'secondary'],
      `converter.cameras maps both image slots to ${JSON.stringify(primary)}; the policy will see the same view twice`,
      valueSpan(root, ['converter', 'cameras', 'secondary']),
      'warning',
    );
  }
  if (converter.gripper && converter.gripper.closed === converter.gripper.open) {
    problems.add(
      ['converter', 'gripper'],
      `converter.gripper.closed and .open are both ${converter.gripper.open}; they must differ`,
      valueSpan(root, ['converter', 'gripper']),
    );
  }
  const model = modelNamed(config.models, config.activeModel);
  if (model && converter.module === undefined && isWritten(root, ['converter', 'layout'])) {
    const protocol = POLICY_PROTOCOLS[model.protocol];
    const layouts: readonly string[] = protocol.layouts;
    if (!layouts.includes(converter.layout)) {
      const use =
        layouts.length === 1 ? `"${layouts[0]}"` : `an ${protocol.name} layout (e.g. "${protocol.defaultLayout}")`;
      problems.add(
        ['converter', 'layout'],
        `converter.layout "${converter.layout}" does not fit the ${model.protocol} protocol of model ${JSON.stringify(config.activeModel)}; use ${use} or remove converter.layout`,
        valueSpan(root, ['converter', 'layout']),
      );
    }
  }
}

function checkChunking(config: So100Config, root: ValueNode, problems: ProblemList): void {
  const { chunking } = config;
  const model = modelNamed(config.models, config.activeModel);
  const horizon = model?.kind === 'builtin' ? MODEL_PROFILES[model.profile].horizon : undefined;
  if (chunking.mode === 'sync') {
    if (chunking.nActionSteps !== undefined && chunking.prefetchSteps >= chunking.nActionSteps) {
      problems.add(
        ['chunking', 'prefetchSteps'],
        `chunking.prefetchSteps (${chunking.prefetchSteps}) must be smaller than chunking.nActionSteps (${chunking.nActionSteps}), or a chunk is requested on every tick`,
        valueSpan(root, ['chunking', 'prefetchSteps']),
      );
    }
    if (horizon !== undefined && chunking.nActionSteps !== undefined && chunking.nActionSteps > horizon) {
      problems.add(
        ['chunking', 'nActionSteps'],
        `chunking.nActionSteps (${chunking.nActionSteps}) exceeds the ${horizon}-action chunks of ${config.activeModel}; only ${horizon} are executed`,
        valueSpan(root, ['chunking', 'nActionSteps']),
        'warning',
      );
    }
  }
  checkSeam(config, horizon, root, problems);
  if (
    chunking.mode === 'async' &&
    horizon !== undefined &&
    chunking.actionsPerChunk !== undefined &&
    chunking.actionsPerChunk > horizon
  ) {
    problems.add(
      ['chunking', 'actionsPerChunk'],
      `chunking.actionsPerChunk (${chunking.actionsPerChunk}) exceeds the ${horizon}-action chunks of ${config.activeModel}; only ${horizon} are used`,
      valueSpan(root, ['chunking', 'actionsPerChunk']),
      'warning',
    );
  }
}

/** `chunking.seam` against the rows each chunk offers (the model's horizon, or fewer when the config uses fewer). */
function checkSeam(config: So100Config, horizon: number | undefined, root: ValueNode, problems: ProblemList): void {
  const { chunking } = config;
  if (!chunking.seam) return;
  const used = chunking.mode === 'sync' ? chunking.nActionSteps : chunking.actionsPerChunk;
  const rows = Math.min(used ?? Infinity, horizon ?? Infinity);
  const overlaps = chunking.mode === 'async' || chunking.prefetchSteps > 0;
  try {
    checkSeamOptions(toSeamOptions(chunking.seam), rows, overlaps);
  } catch (err) {
    if (!(err instanceof ChunkSchedulerConfigError)) throw err;
    const path = ['chunking', ...err.key.split('.').map((k) => k.replace(/\[\d+\]$/, ''))];
    problems.add(path, `chunking.${err.message}`, valueSpan(root, path));
  }
}

function checkRecord(config: So100Config, root: ValueNode, problems: ProblemList): void {
  if (config.record.frames === 'none' && isWritten(root, ['record', 'pngEvery'])) {
    problems.add(
      ['record', 'pngEvery'],
      'record.pngEvery has no effect while record.frames is "none"',
      keySpan(root, ['record', 'pngEvery']),
      'warning',
    );
  }
}
