// The converter thread: runs a built-in layout's toPolicy (the image resizes are the costly part) away from the
// control loop's thread, so a policy request never stalls a tick.
import { parentPort, workerData } from 'node:worker_threads';
import { builtinConverter } from '../core/convert';
import { packPolicyInput } from '../core/convert/policyInputTransfer';
import type { ConvertReply, ConvertRequest, ConvertWorkerSetup } from './convertWorkerProtocol';

const setup = workerData as ConvertWorkerSetup;
const converter = builtinConverter(setup.layout, setup.options);
const port = parentPort!;

port.on('message', (req: ConvertRequest) => {
  const t0 = performance.now();
  let reply: ConvertReply;
  const frames = Object.values(req.images).map((f) => f.data.buffer as ArrayBuffer);
  let transfer: ArrayBuffer[] = [];
  try {
    const r = converter.toPolicy({ positions: req.positions, images: req.images, task: req.task });
    const packed = packPolicyInput(r.input);
    transfer = packed.transfer;
    reply = { id: req.id, frames, ok: true, input: packed.packed, warnings: r.warnings, ms: performance.now() - t0 };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { id: req.id, frames, ok: false, name: e.name, message: e.message };
  }
  port.postMessage(reply, [...transfer, ...frames]);
});
