// The JSON Schema of the workspace config `so100.json`: the one source of truth for keys, types, ranges, defaults and
// hover docs. The validator walks it, defaults are read from it, and `schemas/so100.schema.json` is generated from it
// (`npm run schema`; a unit test fails when the checked-in file differs).
//
// Choices, where the existing option types decided:
// - Top-level `fps`, `maxSteps`, `task`, `requestTimeoutMs`, `maxPolicyFailures`: the episode runner's options, defaults of `so100 episode`.
// - `models` is a map of named entries, told apart by `kind` (builtin | command | remote). The built-in `pi0` and
//   `pi0_fast` entries always exist; an entry of the same name replaces one. `port: 0` means "pick a free port"
//   (for a command, only when its args contain `${port}`; otherwise openpi's 8000), as `so100.server.port` does.
// - `robot.normMode` uses lower-case names of LeRobot's body-joint modes (`degrees` = DEGREES, `range_m100_100` =
//   RANGE_M100_100); the gripper is always 0..100. `robot.maxStep` is safety's MaxStep: left out = the defaults
//   (8° per tick for the body, 20 % for the gripper), a number for every motor, per motor, or null = no step cap.
// - `cameras` replaces the default set as a whole (so a wrist camera can be removed); a synthetic camera's view
//   defaults to its name (`front` / `wrist`). ffmpeg's input kind is `format`; left out, the platform's capture
//   input is used (v4l2 on Linux, avfoundation on macOS, dshow on Windows).
// - `converter.layout` left out follows the active model's protocol (`lerobot-ws` → `lerobot-ws`, else
//   `openpi-so100`), so switching model does not also require switching layout.
// - `chunking` mirrors ChunkSchedulerOptions, discriminated by `mode`. `record.frames` defaults to `mp4` (one video
//   per camera through ffmpeg; PNG every `pngEvery` ticks when ffmpeg is missing), as episode records should show
//   what the policy saw.
import { DEFAULT_SEAM } from '../chunking/chunkSchedulerOptions';
import { LAYOUT_NAMES } from '../convert/layouts';
import { DEFAULT_POLICY_PROTOCOL, POLICY_PROTOCOL_NAMES, POLICY_PROTOCOLS } from '../protocols/policyProtocols';
import { SO100_MOTORS } from '../so100/motors';
import type { JsonSchema } from './jsonSchema';
import { SIMULATED_ARM_PORT } from './simulatedArm';

// Strings that must hold something; patternErrorMessage is what VS Code (and our validator) says otherwise.
const NON_EMPTY = { pattern: '\\S', patternErrorMessage: 'must not be empty' } as const;
// From the protocol registry: a new protocol appears here (and in schemas/so100.schema.json via `npm run schema`).
const PROTOCOL: JsonSchema = {
  type: 'string',
  enum: [...POLICY_PROTOCOL_NAMES],
  enumDescriptions: POLICY_PROTOCOL_NAMES.map((p) => POLICY_PROTOCOLS[p].description),
  default: DEFAULT_POLICY_PROTOCOL,
  markdownDescription:
    'Wire protocol the server speaks; also decides how readiness is checked and, unless `converter.layout` is set, the layout.',
};
const PORT: JsonSchema = {
  type: 'integer',
  minimum: 0,
  maximum: 65535,
  default: 0,
  markdownDescription:
    "Port the server listens on. `0` picks a free port (a command gets it through `${port}` in its args; a command without `${port}` is expected on openpi's default, 8000).",
};

const BUILTIN_MODEL: JsonSchema = {
  type: 'object',
  markdownDescription:
    'The built-in policy server shipped with the extension: a deterministic demo policy with the chunk shape and latency of a real model. No GPU or model files.',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { const: 'builtin', markdownDescription: '`builtin`: the built-in policy server.' },
    profile: {
      type: 'string',
      enum: ['pi0', 'pi0_fast'],
      default: 'pi0',
      enumDescriptions: [
        'π₀: chunks of 50 actions × 32 dims, ~30 ms per inference.',
        'π₀-FAST: chunks of 10 actions × 12 dims, ~90 ms per inference.',
      ],
      description: 'Model profile the built-in server imitates (chunk size and latency).',
    },
    protocol: PROTOCOL,
    latencyMs: {
      type: 'number',
      minimum: 0,
      maximum: 600000,
      markdownDescription:
        "Simulated inference time in milliseconds; left out, the profile's (30 ms for π₀, 90 ms for π₀-FAST).",
    },
    policy: {
      type: 'string',
      enum: ['demo', 'hold'],
      enumDescriptions: [
        'Plans visible motion: picks the simulated cube, or cycles waypoints without a front camera.',
        'Every action is the measured state: the whole flow runs and the arm stays still (a dry run on real hardware).',
      ],
      markdownDescription: 'What plans the chunks; left out, `demo`.',
    },
    port: PORT,
  },
};

const COMMAND_MODEL: JsonSchema = {
  type: 'object',
  markdownDescription:
    "An inference server started from a command line, e.g. openpi's `uv run scripts/serve_policy.py`. Run directly, never through a shell; never started in an untrusted workspace.",
  required: ['kind', 'command'],
  additionalProperties: false,
  properties: {
    kind: { const: 'command', markdownDescription: '`command`: a server the extension starts, watches and restarts.' },
    command: {
      type: 'string',
      ...NON_EMPTY,
      patternErrorMessage: 'must name a program, e.g. "uv"',
      markdownDescription: 'Program to run, e.g. `uv` or `python`.',
    },
    args: {
      type: 'array',
      items: { type: 'string', description: 'One argument, passed as is (no shell).' },
      default: [],
      markdownDescription:
        'Arguments, one per item, e.g. `["run", "scripts/serve_policy.py", "--port", "${port}"]`. `${port}`, `${host}` and `${workspaceFolder}` are replaced.',
    },
    cwd: {
      type: 'string',
      markdownDescription:
        'Working directory (e.g. your openpi checkout); relative paths start at the workspace folder, which is also the default.',
    },
    env: {
      type: 'object',
      additionalProperties: { type: 'string', description: 'Value of the variable.' },
      default: {},
      markdownDescription: 'Environment variables added for the command, e.g. `{ "CUDA_VISIBLE_DEVICES": "0" }`.',
    },
    host: {
      type: 'string',
      ...NON_EMPTY,
      default: '127.0.0.1',
      markdownDescription:
        'Address the server binds to and is probed on. Keep `127.0.0.1` unless another machine must reach it.',
    },
    port: PORT,
    protocol: PROTOCOL,
    startTimeoutMs: {
      type: 'integer',
      minimum: 1000,
      maximum: 3600000,
      default: 120000,
      markdownDescription:
        'How long to wait for the server to become ready, in ms. Real π₀ servers load checkpoints for a minute or more.',
    },
  },
};

const REMOTE_MODEL: JsonSchema = {
  type: 'object',
  markdownDescription: 'An inference server that is already running, e.g. on a GPU machine. Nothing is started.',
  required: ['kind', 'url'],
  additionalProperties: false,
  properties: {
    kind: { const: 'remote', markdownDescription: '`remote`: connect to a running server.' },
    url: {
      type: 'string',
      pattern: '^wss?://\\S+$',
      patternErrorMessage: 'must be a websocket URL such as "ws://gpu-box:8000"',
      markdownDescription: 'Websocket URL of the server, e.g. `ws://gpu-box:8000`.',
    },
    protocol: PROTOCOL,
    apiKeyEnv: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      patternErrorMessage: 'must be an environment variable name such as "OPENPI_API_KEY"',
      markdownDescription:
        'The server needs an API key (openpi sends it as `Authorization: Api-Key <key>`). The key never lives in this file: in VS Code run **SO-100: Set API Key for Model…** (kept in VS Code\'s secret storage); the `so100` CLI reads it from the environment variable named here, e.g. `"OPENPI_API_KEY"`. It is sent only over `wss://` or to this machine (loopback).',
    },
  },
};

const STEP_CAP: JsonSchema = {
  type: 'number',
  exclusiveMinimum: 0,
  markdownDescription:
    'Largest change per tick: degrees (or ±100 units) for body joints, percent of range for the gripper.',
};

const SYNTHETIC_CAMERA: JsonSchema = {
  type: 'object',
  markdownDescription:
    'A camera rendered from the simulated scene (224 × 224). Only meaningful with the simulated arm.',
  required: ['kind'],
  additionalProperties: false,
  properties: {
    kind: { const: 'synthetic', markdownDescription: '`synthetic`: rendered from the simulated scene.' },
    view: {
      type: 'string',
      enum: ['front', 'wrist'],
      enumDescriptions: ['The scene camera facing the arm.', 'The camera on the gripper.'],
      markdownDescription: "Which view to render; left out, the camera's name (`front` or `wrist`).",
    },
  },
};

const FFMPEG_CAMERA: JsonSchema = {
  type: 'object',
  markdownDescription: 'A real camera read through an ffmpeg child process as raw RGB frames.',
  required: ['kind', 'device'],
  additionalProperties: false,
  properties: {
    kind: { const: 'ffmpeg', markdownDescription: '`ffmpeg`: a camera captured by ffmpeg.' },
    device: {
      type: 'string',
      ...NON_EMPTY,
      patternErrorMessage: 'must name a camera, e.g. "/dev/video0"',
      markdownDescription:
        'Device: `/dev/video0` (v4l2), `0` (avfoundation), `Integrated Camera` (dshow), or a lavfi source such as `testsrc=size=640x480:rate=30`.',
    },
    format: {
      type: 'string',
      enum: ['v4l2', 'avfoundation', 'dshow', 'lavfi'],
      enumDescriptions: [
        'Linux (Video4Linux2).',
        'macOS.',
        'Windows (DirectShow).',
        "ffmpeg's generated test sources, for tests and demos.",
      ],
      markdownDescription: "ffmpeg input format; left out, the platform's capture input.",
    },
    width: { type: 'integer', minimum: 1, maximum: 8192, default: 640, description: 'Frame width in pixels.' },
    height: { type: 'integer', minimum: 1, maximum: 8192, default: 480, description: 'Frame height in pixels.' },
    fps: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 240,
      default: 30,
      description: 'Frames per second asked of the camera.',
    },
  },
};

const ROLE_MAP = (what: string): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    primary: { type: 'string', ...NON_EMPTY, markdownDescription: `${what} of the primary (scene) image slot.` },
    secondary: { type: 'string', ...NON_EMPTY, markdownDescription: `${what} of the secondary (wrist) image slot.` },
  },
});

const SEAM_CAP = (what: string): JsonSchema => ({
  oneOf: [
    {
      type: 'number',
      exclusiveMinimum: 0,
      markdownDescription: `${what} of every body joint (degrees per tick); the gripper is not capped.`,
    },
    {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        SO100_MOTORS.map((m) => [m, { type: 'number', exclusiveMinimum: 0, markdownDescription: `${what} of ${m}.` }]),
      ),
      markdownDescription: `${what} per motor (the joint's units per tick); motors left out are not capped.`,
    },
  ],
  markdownDescription: `${what}: a number for the body joints, or per motor.`,
});

/** `chunking.seam`: how one chunk hands over to the next (hot: applies from the next tick). */
const SEAM: JsonSchema = {
  oneOf: [
    {
      type: 'object',
      required: ['remedy'],
      additionalProperties: false,
      properties: {
        remedy: {
          const: 'aligned',
          markdownDescription:
            '`aligned`: delay-compensated start only — rows whose time passed while the request was in flight are dropped, overlapping rows combine per `aggregate`.',
        },
      },
    },
    {
      type: 'object',
      required: ['remedy', 'ticks'],
      additionalProperties: false,
      properties: {
        remedy: {
          const: 'crossfade',
          markdownDescription: '`crossfade`: fade linearly from the outgoing rows to the incoming ones.',
        },
        ticks: {
          type: 'integer',
          minimum: 1,
          markdownDescription: 'Ticks the cross-fade lasts; fewer than the rows used from each chunk.',
        },
      },
    },
    {
      type: 'object',
      required: ['remedy'],
      additionalProperties: false,
      properties: {
        remedy: {
          const: 'ensemble',
          markdownDescription: "`ensemble`: ACT's temporal ensembling of every chunk's row for a step.",
        },
        decay: {
          type: 'number',
          minimum: 0,
          default: 0.01,
          markdownDescription: 'The i-th oldest prediction weighs exp(−decay·i) (ACT: 0.01; 0 = plain mean).',
        },
      },
    },
    {
      type: 'object',
      required: ['remedy', 'maxStep'],
      additionalProperties: false,
      properties: {
        remedy: { const: 'limit', markdownDescription: '`limit`: cap the velocity (and acceleration) of commands.' },
        maxStep: SEAM_CAP('Largest move of a command per tick'),
        maxStepChange: SEAM_CAP("Largest change of a command's move from one tick to the next"),
      },
    },
  ],
  default: DEFAULT_SEAM,
  markdownDescription:
    'How one action chunk hands over to the next (docs/PERFORMANCE.md compares them). Applies from the next tick. The safety step cap and range still apply after it.',
};

const ASYNC_CHUNKING: JsonSchema = {
  type: 'object',
  markdownDescription: 'LeRobot-style: ask for the next chunk early, align it to its observation, merge the overlap.',
  required: ['mode'],
  additionalProperties: false,
  properties: {
    mode: { const: 'async', markdownDescription: '`async`: request ahead, merge overlaps.' },
    threshold: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0.5,
      markdownDescription:
        "Ask for a chunk when queued actions / chunk size ≤ this (LeRobot's `chunk_size_threshold`).",
    },
    aggregate: {
      type: 'string',
      enum: ['latest', 'average', 'weighted'],
      default: 'weighted',
      enumDescriptions: [
        'The newer chunk replaces the overlap.',
        'Plain mean of old and new.',
        'alpha × new + (1 − alpha) × old.',
      ],
      description: 'How overlapping steps of two chunks combine.',
    },
    alpha: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0.7,
      markdownDescription: 'Weight of the newer chunk in `weighted` mode.',
    },
    actionsPerChunk: {
      type: 'integer',
      minimum: 1,
      markdownDescription: "Rows used from each chunk (LeRobot's `actions_per_chunk`); left out, the whole chunk.",
    },
    seam: SEAM,
  },
};

const SYNC_CHUNKING: JsonSchema = {
  type: 'object',
  markdownDescription:
    "openpi's ActionChunkBroker: execute a chunk, then ask for the next; the arm holds meanwhile unless `prefetchSteps` asks early.",
  required: ['mode'],
  additionalProperties: false,
  properties: {
    mode: { const: 'sync', markdownDescription: '`sync`: one chunk at a time.' },
    nActionSteps: {
      type: 'integer',
      minimum: 1,
      markdownDescription: 'Rows executed from each chunk (DROID example: 8 of 10); left out, the whole chunk.',
    },
    prefetchSteps: {
      type: 'integer',
      minimum: 0,
      default: 0,
      markdownDescription:
        'Ask for the next chunk when this many actions are left; `0` waits until the queue is empty.',
    },
    seam: SEAM,
  },
};

/** The schema of `so100.json`. */
export const CONFIG_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'SO-100 Policy Lab workspace config (so100.json)',
  markdownDescription:
    'Robot, cameras, models and control loop of SO-100 Policy Lab. An empty `{}` runs the simulated arm with the built-in π₀ server.',
  type: 'object',
  // The starter (and parseConfig) accept JSONC; tell VS Code so, or it flags every trailing comma.
  allowComments: true,
  allowTrailingCommas: true,
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'The JSON Schema of this file; ignored by SO-100 Policy Lab.' },
    fps: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 30,
      markdownDescription: 'Control rate in ticks per second. LeRobot SO-100 datasets are recorded at 30.',
    },
    maxSteps: {
      type: 'integer',
      minimum: 1,
      maximum: 10000000,
      default: 900,
      markdownDescription: 'Ticks per episode at most (900 = 30 s at 30 fps).',
    },
    task: {
      type: 'string',
      default: 'pick up the red cube',
      markdownDescription: 'Task prompt sent to the policy with every observation.',
    },
    requestTimeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 600000,
      default: 30000,
      markdownDescription: 'Per-request timeout of the policy client, in ms; a late reply is never used.',
    },
    maxPolicyFailures: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 3,
      markdownDescription:
        'Policy failures in a row (a failed or timed-out request, NaN / Inf actions, a converter error) that end the episode; the arm holds its position after each one.',
    },
    activeModel: {
      type: 'string',
      ...NON_EMPTY,
      default: 'pi0',
      markdownDescription: 'Name of the entry of `models` the episode uses.',
    },
    models: {
      type: 'object',
      markdownDescription:
        'Named inference servers. `pi0` and `pi0_fast` (built-in) always exist; an entry of the same name replaces one.',
      additionalProperties: {
        oneOf: [BUILTIN_MODEL, COMMAND_MODEL, REMOTE_MODEL],
        markdownDescription: 'A model server: `"kind"` is `builtin`, `command` or `remote`.',
      },
      default: { pi0: { kind: 'builtin', profile: 'pi0' }, pi0_fast: { kind: 'builtin', profile: 'pi0_fast' } },
    },
    robot: {
      type: 'object',
      markdownDescription: 'The SO-100 follower arm.',
      additionalProperties: false,
      default: {},
      properties: {
        port: {
          type: 'string',
          ...NON_EMPTY,
          default: SIMULATED_ARM_PORT,
          markdownDescription:
            "Serial port of the arm's bus adapter, e.g. `/dev/ttyACM0` or `COM3`; `sim` = the simulated arm.",
        },
        id: {
          type: 'string',
          pattern: '^[A-Za-z0-9_.-]+$',
          patternErrorMessage: 'may use only letters, digits, _ . and - (it names the calibration file)',
          default: 'so100_follower',
          markdownDescription: 'Robot id; the calibration is `<calibrationDir>/<id>.json`, as in LeRobot.',
        },
        calibrationDir: {
          type: 'string',
          ...NON_EMPTY,
          markdownDescription:
            "Folder of LeRobot calibration files; left out, LeRobot's (`~/.cache/huggingface/lerobot/calibration/robots/so100_follower`).",
        },
        normMode: {
          type: 'string',
          enum: ['degrees', 'range_m100_100'],
          default: 'degrees',
          enumDescriptions: [
            'Body joints in degrees (LeRobot ≥ 0.4.4 `use_degrees`).',
            'Body joints in −100..100 (older LeRobot datasets, many SO-100 π₀ fine-tunes).',
          ],
          markdownDescription:
            'Units of the five body joints the policy sees; the gripper is always 0..100. Must match the data the policy was trained on.',
        },
        maxStep: {
          oneOf: [
            STEP_CAP,
            {
              type: 'object',
              additionalProperties: false,
              properties: Object.fromEntries(SO100_MOTORS.map((m) => [m, STEP_CAP])),
              markdownDescription: 'Per-motor caps; motors left out keep the default.',
            },
            { type: 'null', description: 'No step cap (only the calibrated range is enforced).' },
          ],
          markdownDescription:
            'Safety cap on each joint\'s move per tick. Left out: 8° for body joints, 20 % for the gripper. A number for every motor, `{ "gripper": 30 }` per motor, or `null` for none.',
        },
        disconnect: {
          type: 'string',
          enum: ['torque-off', 'hold'],
          default: 'torque-off',
          enumDescriptions: [
            'Disable torque: the arm goes limp (support it first).',
            'Keep torque on at the last position.',
          ],
          description: 'What the arm does when the session disconnects.',
        },
        seed: {
          type: 'integer',
          minimum: 0,
          maximum: 2147483647,
          default: 1,
          markdownDescription:
            'Simulated arm only: where the cube starts (`plain` scene), or the whole scene (`varied`).',
        },
        scene: {
          type: 'string',
          enum: ['plain', 'varied'],
          default: 'plain',
          enumDescriptions: [
            'The classic scene: a red cube of one size, square to the table; the seed moves it.',
            'The seed decides the cube (place up to the edge of reach, yaw, size, colour), distractor objects, the light and a small jitter of the front camera: what evaluation campaigns run.',
          ],
          markdownDescription: 'Simulated arm only: the classic scene or one varied by `seed`.',
        },
      },
    },
    cameras: {
      type: 'object',
      markdownDescription:
        'Cameras by name; the name is the LeRobot observation key (`observation.images.<name>`). Replaces the default `front` + `wrist` synthetic pair.',
      additionalProperties: {
        oneOf: [SYNTHETIC_CAMERA, FFMPEG_CAMERA],
        markdownDescription: 'A camera: `"kind"` is `synthetic` (simulated scene) or `ffmpeg` (a real camera).',
      },
      default: { front: { kind: 'synthetic' }, wrist: { kind: 'synthetic' } },
    },
    converter: {
      type: 'object',
      markdownDescription: 'How LeRobot observations become policy inputs and actions become joint targets.',
      additionalProperties: false,
      default: {},
      properties: {
        layout: {
          type: 'string',
          enum: [...LAYOUT_NAMES],
          enumDescriptions: [
            'phospho-app/openpi SO-100 configs (pi0_so100, pi0_fast_so100).',
            'openpi DROID (made for the 7-joint Franka).',
            'openpi LIBERO (end-effector actions; made for the simulated Franka).',
            'openpi ALOHA (the SO-100 drives the left arm).',
            'awesome-lerobot websocket server.',
          ],
          markdownDescription:
            "Built-in layout of the policy's inputs and outputs; left out, follows the active model's protocol.",
        },
        cameras: {
          ...ROLE_MAP('Camera (a name under `cameras`)'),
          markdownDescription:
            'Which camera feeds which image slot, e.g. `{ "primary": "front", "secondary": "wrist" }`; unset roles are guessed from names.',
        },
        imageKeys: {
          ...ROLE_MAP('Policy input key'),
          markdownDescription:
            'Override the layout\'s image keys per role, e.g. `{ "primary": "observation/images.phone" }`.',
        },
        gripper: {
          type: 'object',
          required: ['closed', 'open'],
          additionalProperties: false,
          markdownDescription:
            "The policy's gripper units: the values meaning fully closed and fully open. Left out, LeRobot's 0 = closed, 100 = open.",
          properties: {
            closed: { type: 'number', description: 'Policy value of a closed gripper.' },
            open: { type: 'number', description: 'Policy value of an open gripper.' },
          },
        },
        module: {
          type: 'string',
          ...NON_EMPTY,
          markdownDescription:
            'Your own converter module (TypeScript or JavaScript, relative to the workspace) exporting `toPolicy` and/or `fromPolicy`; reloaded on save.',
        },
      },
    },
    chunking: {
      oneOf: [ASYNC_CHUNKING, SYNC_CHUNKING],
      default: { mode: 'async' },
      markdownDescription:
        "How action chunks are requested and executed: `async` (ask early, merge overlaps) or `sync` (openpi's broker).",
    },
    record: {
      type: 'object',
      markdownDescription: 'Episode records (`episode.json`, `steps.csv`, `chunks.jsonl`, `timing.csv`).',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Keep a record of every episode.' },
        dir: {
          type: 'string',
          ...NON_EMPTY,
          default: '.so100/episodes',
          markdownDescription: 'Folder of records, relative to the workspace; one subfolder per episode.',
        },
        frames: {
          type: 'string',
          enum: ['mp4', 'png', 'none'],
          default: 'mp4',
          enumDescriptions: [
            'One mp4 per camera through ffmpeg (a PNG every `pngEvery` ticks when ffmpeg is missing).',
            'A PNG every `pngEvery` ticks.',
            'No camera frames.',
          ],
          description: 'Whether and how camera frames are recorded.',
        },
        pngEvery: {
          type: 'integer',
          minimum: 1,
          default: 10,
          markdownDescription: 'With `frames: "png"` (or `"mp4"` without ffmpeg), keep every N-th tick\'s frames.',
        },
      },
    },
    evaluation: {
      type: 'object',
      markdownDescription:
        'Evaluation campaigns (`so100 eval`): the models compared on the same seeds of the varied simulated scene. Flags override these.',
      additionalProperties: false,
      default: {},
      properties: {
        models: {
          type: 'array',
          items: { type: 'string', ...NON_EMPTY, description: 'A model name.' },
          default: ['pi0', 'pi0_fast'],
          markdownDescription: 'Models to compare, each a name under `models` (or the built-in `pi0` / `pi0_fast`).',
        },
        episodes: {
          type: 'integer',
          minimum: 1,
          maximum: 1000000,
          default: 50,
          markdownDescription:
            'Seeds per model. With 50, a 50 % success rate has a ±13.4 % Wilson 95 % half-width; 200 gives ±6.9 %.',
        },
        seed: {
          type: 'integer',
          minimum: 0,
          maximum: 2147483647,
          default: 1,
          markdownDescription: 'First seed; the campaign runs seeds `seed` … `seed + episodes − 1`.',
        },
        clock: {
          type: 'string',
          enum: ['auto', 'virtual', 'wall'],
          default: 'auto',
          enumDescriptions: [
            'Virtual time whenever it applies (simulated arm, synthetic cameras, built-in openpi models), else wall time.',
            'Simulated time, faster than real time and the same episode for the same seed; refused with a real arm, camera or server.',
            'Episodes run in real time.',
          ],
          markdownDescription:
            "The clock episodes run on. Under `virtual` time nothing sleeps: ticks, the simulated wire time and the built-in models' simulated inference latency advance a virtual clock, so a campaign runs many times faster than real time with the same chunk schedule. A real arm, camera or policy server runs in real time and forces `wall`.",
        },
      },
    },
  },
};

/** The text of `schemas/so100.schema.json`. */
export function schemaFileText(): string {
  return `${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`;
}
