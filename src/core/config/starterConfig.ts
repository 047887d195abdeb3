// The commented so100.json written for a new workspace. It spells out the embedded default (it resolves to exactly
// defaultConfig(), which a unit test checks) and shows, commented out, how to add your own server and cameras.

/** Where the schema lives inside the extension package; the extension passes the path as the workspace sees it. */
export const SCHEMA_RELATIVE_PATH = 'schemas/so100.schema.json';

/**
 * The starter so100.json; `schemaRef` becomes its `$schema` (default: SCHEMA_RELATIVE_PATH as a placeholder), and
 * null leaves it out (VS Code finds the schema through the extension's jsonValidation; a path would be machine-bound).
 */
export function starterConfigText(schemaRef: string | null = SCHEMA_RELATIVE_PATH): string {
  return `{
  // SO-100 Policy Lab workspace config. Comments and trailing commas are allowed.
  // Every setting shown here is the default: an empty {} behaves the same. Hover a key for its documentation.
${
  schemaRef === null
    ? ''
    : `  "$schema": ${JSON.stringify(schemaRef)},
`
}
  // ── Control loop ─────────────────────────────────────────────────────────────────────────────────
  "fps": 30,                           // ticks per second; LeRobot SO-100 datasets are recorded at 30
  "maxSteps": 900,                     // ticks per episode at most (900 = 30 s at 30 fps)
  "task": "pick up the red cube",      // the prompt sent with every observation
  "requestTimeoutMs": 30000,           // a reply later than this is dropped, never used

  // ── Models ───────────────────────────────────────────────────────────────────────────────────────
  // The episode runs "activeModel". pi0 and pi0_fast are the built-in server (demo policy, no GPU needed)
  // and always exist; add your own server by name.
  "activeModel": "pi0",
  "models": {
    "pi0": { "kind": "builtin", "profile": "pi0" },           // chunks of 50, ~30 ms
    "pi0_fast": { "kind": "builtin", "profile": "pi0_fast" }, // chunks of 10, ~90 ms
    // An openpi checkout on this machine, started and watched by the extension (port 0 → a free port via \${port}):
    // "mine": {
    //   "kind": "command",
    //   "command": "uv",
    //   "args": ["run", "scripts/serve_policy.py", "--port", "\${port}", "policy:checkpoint", "--policy.config=pi0_so100"],
    //   "cwd": "../openpi",
    //   "protocol": "openpi",
    // },
    // A server already running elsewhere:
    // "gpu": { "kind": "remote", "url": "ws://gpu-box:8000", "protocol": "openpi" },
  },

  // ── Robot ────────────────────────────────────────────────────────────────────────────────────────
  "robot": {
    "port": "sim",                     // "sim" = the simulated arm; a real one is e.g. "/dev/ttyACM0" or "COM3"
    "id": "so100_follower",            // names the LeRobot calibration file <calibrationDir>/<id>.json
    "normMode": "degrees",             // body-joint units the policy was trained on: "degrees" or "range_m100_100"
    // "maxStep": { "gripper": 30 },   // safety cap per tick; default 8° for body joints, 20 % for the gripper
    "disconnect": "torque-off",        // or "hold" to keep torque on when the session ends
    "seed": 1,                         // simulated arm only: where the cube starts
  },

  // ── Cameras ──────────────────────────────────────────────────────────────────────────────────────
  // By name; the name is the LeRobot key observation.images.<name>. Synthetic cameras render the simulated scene.
  "cameras": {
    "front": { "kind": "synthetic" },
    "wrist": { "kind": "synthetic" },
    // A real camera through ffmpeg:
    // "front": { "kind": "ffmpeg", "device": "/dev/video0", "width": 640, "height": 480, "fps": 30 },
  },

  // ── Converter ────────────────────────────────────────────────────────────────────────────────────
  // LeRobot observation → policy input and actions → joint targets. The layout follows the active model's
  // protocol unless set ("openpi-so100", "droid", "libero", "aloha", "lerobot-ws").
  "converter": {
    // "cameras": { "primary": "front", "secondary": "wrist" },  // camera per image slot; guessed from names if unset
    // "gripper": { "closed": 0, "open": 1 },  // the policy's gripper units, if not LeRobot's 0..100
    // "module": "converters/mine.ts",         // your own toPolicy / fromPolicy, reloaded on save
  },

  // ── Chunking ─────────────────────────────────────────────────────────────────────────────────────
  // "async": ask for the next chunk before the queue runs dry and merge the overlap (LeRobot).
  // "sync": execute a chunk, then ask for the next (openpi's broker): { "mode": "sync", "nActionSteps": 8 }.
  "chunking": { "mode": "async", "threshold": 0.5, "aggregate": "weighted", "alpha": 0.7 },

  // ── Records ──────────────────────────────────────────────────────────────────────────────────────
  "record": {
    "enabled": true,
    "dir": ".so100/episodes",          // one folder per episode: episode.json, steps.csv, chunks.jsonl, timing.csv
    "frames": "mp4",                   // one video per camera through ffmpeg; "png" (every "pngEvery" ticks) or "none"
  },
}
`;
}
