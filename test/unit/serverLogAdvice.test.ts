// The table that turns known server error lines into plain advice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adviceForLine,
  adviceForSpawnError,
  matchAdvice,
  SERVER_LOG_ADVICE,
} from '../../src/io/process/serverLogAdvice';

const cases: { line: string; id: string; mentions: RegExp }[] = [
  {
    line: 'OSError: [Errno 98] Address already in use',
    id: 'port-in-use',
    mentions: /port 8123 is taken: stop the other server or change the port/i,
  },
  {
    line: "OSError: [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use",
    id: 'port-in-use',
    mentions: /port 8000 is taken/i,
  },
  {
    line: 'Error: listen EADDRINUSE: address already in use 127.0.0.1:9001',
    id: 'port-in-use',
    mentions: /port 9001 is taken/i,
  },
  {
    line: 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB',
    id: 'gpu-out-of-memory',
    mentions: /GPU ran out of memory/,
  },
  {
    line: 'jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 1.2GiB',
    id: 'gpu-out-of-memory',
    mentions: /GPU ran out of memory/,
  },
  {
    line: "ModuleNotFoundError: No module named 'openpi'",
    id: 'python-module-missing',
    mentions: /'openpi'.*openpi checkout.*uv run/,
  },
  {
    line: "ModuleNotFoundError: No module named 'lerobot.common'",
    id: 'python-module-missing',
    mentions: /'lerobot\.common'.*lerobot checkout.*uv run/,
  },
  {
    line: 'curl: (6) Could not resolve host: storage.googleapis.com',
    id: 'dns-failure',
    mentions: /offline.*local checkpoint/,
  },
  {
    line: "OSError: We couldn't connect to 'https://huggingface.co' to load this file",
    id: 'checkpoint-download-failed',
    mentions: /offline.*local checkpoint/,
  },
  {
    line: 'google.api_core.exceptions.RetryError: Deadline exceeded while fetching gs://openpi-assets/checkpoints/pi0_fast_droid',
    id: 'checkpoint-download-failed',
    mentions: /download/,
  },
  { line: 'Killed', id: 'killed', mentions: /out of memory/ },
  {
    line: 'scripts/run.sh: line 3: 4242 Killed                  uv run scripts/serve_policy.py',
    id: 'killed',
    mentions: /out of memory/,
  },
  {
    line: 'WARNING:jax._src.xla_bridge:No GPU/TPU found, falling back to CPU. (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)',
    id: 'jax-cpu-only',
    mentions: /CPU.*very slow/,
  },
];

for (const c of cases) {
  test(`advice: ${c.line.slice(0, 60)}`, () => {
    const m = matchAdvice(c.line, { port: 8123 });
    assert.equal(m?.id, c.id);
    assert.match(m.advice, c.mentions);
  });
}

test('ordinary log lines get no advice', () => {
  for (const line of [
    'INFO:__main__:Creating server (host: 0.0.0.0, port: 8000)',
    'Loading checkpoint from gs://openpi-assets/checkpoints/pi0_fast_droid',
    'Downloading https://huggingface.co/lerobot/pi0/resolve/main/model.safetensors 35%',
    'INFO:websockets.server:server listening on 0.0.0.0:8000',
    'episode 3 killed the task in 12 s',
    '',
  ]) {
    assert.equal(adviceForLine(line, { port: 8000 }), undefined, line);
  }
});

test('without a port in the line or context the advice still reads well', () => {
  assert.match(adviceForLine('OSError: [Errno 98] Address already in use') ?? '', /^The port is taken/);
});

test('every rule has a distinct id', () => {
  const ids = SERVER_LOG_ADVICE.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
});

test('spawn errors name the command', () => {
  const enoent = Object.assign(new Error('spawn uvx ENOENT'), { code: 'ENOENT' });
  assert.match(adviceForSpawnError(enoent, 'uvx'), /"uvx" was not found on PATH/);
  const eacces = Object.assign(new Error('spawn ./serve EACCES'), { code: 'EACCES' });
  assert.match(adviceForSpawnError(eacces, './serve'), /not executable/);
});
