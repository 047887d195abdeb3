// Watches what the driver puts on the bus: wraps a ByteTransport and decodes every outgoing instruction packet,
// so tests can assert on the goals, torque and other register writes that really reached the servos, in wire order.
import { InstructionParser } from '../../src/core/feetech/instructionParser';
import { Instruction, readUintLE } from '../../src/core/feetech/packet';
import { register, registerCovering } from '../../src/core/feetech/controlTable';
import { decodeRegister } from '../../src/core/feetech/registerCodec';
import type { ByteTransport } from '../../src/io/serial/byteTransport';
import { withWrite } from './writeThrough';

export type WireEvent =
  | { readonly kind: 'goal'; readonly seq: number; readonly goals: ReadonlyMap<number, number> }
  | { readonly kind: 'torque'; readonly seq: number; readonly id: number; readonly value: number }
  /** Any other single-servo WRITE, decoded by the register at its address (`?@address` if none starts there). */
  | {
      readonly kind: 'write';
      readonly seq: number;
      readonly id: number;
      readonly register: string;
      readonly value: number;
    };

const GOAL = register('Goal_Position').address;
const TORQUE = register('Torque_Enable').address;

export class WireLog {
  readonly events: WireEvent[] = [];
  private readonly parser = new InstructionParser();
  private seq = 0;

  /** A transport that behaves like `inner` and logs what is written through it. */
  wrap(inner: ByteTransport): ByteTransport {
    return withWrite(inner, (bytes) => {
      this.observe(bytes);
      return inner.write(bytes);
    });
  }

  /** Wire position of the next event; events logged later have a larger seq. */
  mark(): number {
    return this.seq;
  }

  goalsAfter(seq: number): WireEvent[] {
    return this.events.filter((e) => e.kind === 'goal' && e.seq >= seq);
  }

  private observe(bytes: Uint8Array): void {
    for (const p of this.parser.push(bytes)) {
      if (p.instruction === Instruction.SYNC_WRITE && p.params[0] === GOAL) {
        const len = p.params[1];
        const goals = new Map<number, number>();
        for (let o = 2; o + 1 + len <= p.params.length; o += 1 + len)
          goals.set(p.params[o], readUintLE(p.params, o + 1, 2));
        this.events.push({ kind: 'goal', seq: this.seq++, goals });
      } else if (p.instruction === Instruction.WRITE && p.params[0] === TORQUE) {
        this.events.push({ kind: 'torque', seq: this.seq++, id: p.id, value: p.params[1] });
      } else if (p.instruction === Instruction.WRITE && p.params.length >= 2) {
        const spec = registerCovering(p.params[0]);
        const data = p.params.subarray(1);
        const known = spec !== undefined && spec.address === p.params[0] && data.length === spec.size;
        this.events.push({
          kind: 'write',
          seq: this.seq++,
          id: p.id,
          register: known ? spec.name : `?@${p.params[0]}`,
          value: known ? decodeRegister(spec.name, data) : data[0],
        });
      }
    }
  }
}
