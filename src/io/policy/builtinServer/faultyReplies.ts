// What the built-in server sends instead of a good reply when a fault is set: actions scaled, made non-finite,
// reshaped or retyped the way broken policy servers do it; bytes that are not msgpack; a Python traceback.
import type { ActionValueFault, PolicyServerFaults } from '../../../core/policy/policyServerFaults';
import { NdArray } from '../../../core/ndarray';
import { type WireValue } from '../../../core/protocols';

/** Columns a `narrow` chunk keeps: fewer than the SO-100's 6 joints. */
const NARROW_COLUMNS = 3;

/** The actions value for `values` shaped (horizon, dims), with `faults` applied; `dtype` is the float type asked for. */
export function actionsWithFaults(
  values: Float64Array,
  horizon: number,
  dims: number,
  dtype: '<f4' | '<f8',
  faults: PolicyServerFaults,
): WireValue {
  let v = values;
  if (faults.actionScale !== 1 || faults.actionValues !== undefined)
    v = v.map((x) => broken(x * faults.actionScale, faults.actionValues));
  let shape = [horizon, dims];
  if (faults.actionShape === 'narrow') {
    const keep = Math.min(NARROW_COLUMNS, dims);
    const narrow = new Float64Array(horizon * keep);
    for (let t = 0; t < horizon; t++) narrow.set(v.subarray(t * dims, t * dims + keep), t * keep);
    v = narrow;
    shape = [horizon, keep];
  } else if (faults.actionShape === 'batched') {
    const twice = new Float64Array(v.length * 2);
    twice.set(v);
    twice.set(v, v.length);
    v = twice;
    shape = [2, horizon, dims];
  }
  if (faults.actionDtype === 'string') return numpyRepr(v, shape);
  if (faults.actionDtype === 'int64')
    return NdArray.fromTyped(
      BigInt64Array.from(v, (x) => BigInt(Number.isFinite(x) ? Math.round(x) : 0)),
      shape,
    );
  return NdArray.fromTyped(dtype === '<f8' ? v : Float32Array.from(v), shape);
}

function broken(x: number, fault: ActionValueFault | undefined): number {
  if (fault === 'nan') return Number.NaN;
  if (fault === 'inf') return Number.POSITIVE_INFINITY;
  return x;
}

/** The array as `str(np.ndarray)` would print it (a server that sent `str(actions)`), first rows only. */
function numpyRepr(v: Float64Array, shape: readonly number[]): string {
  const cols = shape.at(-1)!;
  const rows: string[] = [];
  for (let i = 0; i < Math.min(3, v.length / cols); i++)
    rows.push(`[${Array.from(v.subarray(i * cols, (i + 1) * cols), (x) => x.toFixed(4)).join(' ')}]`);
  return `[${rows.join('\n ')}\n ...]`;
}

/** Bytes that no msgpack decoder accepts: 0xc1 is the one type byte msgpack never uses. */
export const GARBAGE_REPLY = Uint8Array.from([0xc1, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37]);

/** The text frame of the `traceback` fault: what a Python server's handler prints when inference raises. */
export const FAULT_TRACEBACK =
  'Traceback (most recent call last):\n' +
  '  File "openpi/serving/websocket_policy_server.py", line 62, in _handler\n' +
  '    action = self._policy.infer(obs)\n' +
  'RuntimeError: CUDA error: an illegal memory access was encountered (injected by so100 serve --fault traceback)\n';
