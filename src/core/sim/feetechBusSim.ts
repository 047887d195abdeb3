// A simulated Feetech STS bus: consumes host instruction bytes and produces servo status packets with timing.
import { register } from '../feetech/controlTable';
import { errorByteOf } from '../feetech/errorBits';
import { InstructionParser, type InstructionPacket } from '../feetech/instructionParser';
import { BROADCAST_ID, encodeStatus, Instruction } from '../feetech/packet';
import type { ParserCounters } from '../feetech/packetFramer';
import { noFaults, type BusFaults } from './busFaults';
import { GoalLog } from './goalLog';
import { seededRandom } from './seededRandom';
import { Sts3215Servo } from './sts3215Servo';

/** Baud_Rate register index → baud (Feetech SDK / Vassar doc table; LeRobot differs above index 4). */
export const BAUD_RATES: readonly number[] = [1_000_000, 500_000, 250_000, 128_000, 115_200, 76_800, 57_600, 38_400];
const GOAL_ADDRESS = register('Goal_Position').address;
const PRESENT_ADDRESS = register('Present_Position').address;
/** Return_Delay_Time unit in µs. */
export const RETURN_DELAY_UNIT_US = 2;

/** One status packet put on the wire by a servo. */
export interface BusReply {
  /** The id that sent it. */
  readonly id: number;
  readonly reply: Uint8Array;
  /** When its first byte leaves the servo, in µs after the request's last byte arrived (the `nowUs` given). */
  readonly replyDelayUs: number;
}

export interface FeetechBusSimOptions {
  /** Servo ids present on the bus; default 1–6 (the SO-100). */
  readonly ids?: readonly number[];
  /** Seed of the PRNG used by fault injection; default 1. */
  readonly seed?: number;
  /** Bus clock at construction, µs; default 0. */
  readonly startUs?: number;
  /** Host baud rate; servos whose Baud_Rate index differs hear nothing. Default 1 000 000. */
  readonly baudRate?: number;
  /** Raw encoder position of every servo at power-up; default 2048. */
  readonly initialPosition?: number;
}

/**
 * The bus: routes instructions to servos by id and answers like real STS3215s would. Pure: time only moves
 * when the caller passes a later `nowUs` to handle() or advanceTo().
 */
export class FeetechBusSim {
  /** Mutate to inject faults at run time. */
  readonly faults: BusFaults = noFaults();
  /** Every goal position the servos accepted (the fault suite's evidence of what reached them). */
  readonly goals = new GoalLog();
  private readonly parser = new InstructionParser();
  /** Present_Position of each servo as the host last read it, for the goal log. */
  private readonly lastReadPresent = new Map<number, number>();
  private readonly random: () => number;
  private readonly list: Sts3215Servo[] = [];
  private clockUs: number;
  private readonly baudRate: number;

  constructor(options: FeetechBusSimOptions = {}) {
    const ids = options.ids ?? [1, 2, 3, 4, 5, 6];
    for (const id of ids) this.list.push(new Sts3215Servo({ id, initialPosition: options.initialPosition }));
    this.random = seededRandom(options.seed ?? 1);
    this.clockUs = options.startUs ?? 0;
    this.baudRate = options.baudRate ?? 1_000_000;
  }

  /** Time one byte takes on the wire (8N1: 10 bits), in µs. */
  get byteTimeUs(): number {
    return 10_000_000 / this.baudRate;
  }

  /** Current bus clock, µs. */
  get nowUs(): number {
    return this.clockUs;
  }

  /** Every servo on the bus, in the order added. */
  get servos(): readonly Sts3215Servo[] {
    return this.list;
  }

  /** The first servo currently answering to `id`, if any. */
  servo(id: number): Sts3215Servo | undefined {
    return this.list.find((s) => s.id === id);
  }

  /** Plugs in another servo (e.g. a 7th for tests). */
  addServo(servo: Sts3215Servo): void {
    this.list.push(servo);
  }

  /** Unplugs every servo answering to `id`; returns whether any was removed. */
  removeServo(id: number): boolean {
    const before = this.list.length;
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i].id === id) this.list.splice(i, 1);
    return this.list.length !== before;
  }

  /** Health of the instruction stream: checksum failures and discarded bytes. */
  get counters(): ParserCounters {
    return this.parser.counters;
  }

  /** Runs the servos' physics up to `nowUs` (earlier times are ignored). */
  advanceTo(nowUs: number): void {
    if (!(nowUs > this.clockUs)) return;
    const dtMs = (nowUs - this.clockUs) / 1000;
    for (const s of this.list) s.advance(dtMs);
    this.clockUs = nowUs;
  }

  /**
   * Consumes host bytes that finished arriving at `nowUs` (any split of packets is fine) and returns the
   * replies they cause, back to back on the wire: each waits its servo's Return_Delay_Time (2 µs/unit)
   * after the previous one ends.
   */
  handle(bytes: Uint8Array, nowUs: number): BusReply[] {
    this.advanceTo(nowUs);
    if (this.faults.disconnected) return []; // nothing reaches the servos, not even the parser
    const replies: BusReply[] = [];
    let wireUs = 0;
    for (const packet of this.parser.push(bytes)) {
      for (const { servo, packet: status } of this.execute(packet)) {
        const id = servo.id;
        if (this.faults.dropRepliesFrom.includes(id)) continue;
        if (this.faults.corruptChecksumFraction > 0 && this.random() < this.faults.corruptChecksumFraction) {
          status[status.length - 1] ^= 0x5a;
        }
        wireUs += servo.readRegister('Return_Delay_Time') * RETURN_DELAY_UNIT_US + this.faults.extraDelayUs;
        replies.push({ id, reply: status, replyDelayUs: wireUs });
        wireUs += status.length * this.byteTimeUs;
      }
    }
    return replies;
  }

  /** Servos that hear the host: right baud rate. Fault error bits are applied before they act. */
  private listening(): Sts3215Servo[] {
    const heard = this.list.filter((s) => BAUD_RATES[s.readRegister('Baud_Rate')] === this.baudRate);
    for (const s of heard) s.setForcedErrors(errorByteOf(this.faults.errorBits[s.id] ?? []));
    return heard;
  }

  /** A WRITE that logs the goal when it covers Goal_Position (REG_WRITE/ACTION are not used by the host). */
  private writeLogged(s: Sts3215Servo, address: number, data: Uint8Array): void {
    const touchesGoal = address < GOAL_ADDRESS + 2 && address + data.length > GOAL_ADDRESS;
    const present = touchesGoal ? s.readRegister('Present_Position') : 0;
    s.write(address, data);
    if (touchesGoal) {
      this.goals.add({
        id: s.id,
        goal: s.readRegister('Goal_Position'),
        present,
        lastRead: this.lastReadPresent.get(s.id),
        torqueOn: s.readRegister('Torque_Enable') === 1,
        atUs: this.clockUs,
      });
    }
  }

  /** A READ's data; remembers Present_Position when the read covers it. */
  private readLogged(s: Sts3215Servo, address: number, length: number): Uint8Array {
    if (address <= PRESENT_ADDRESS && address + length >= PRESENT_ADDRESS + 2)
      this.lastReadPresent.set(s.id, s.readRegister('Present_Position'));
    return s.read(address, length);
  }

  private execute(p: InstructionPacket): { servo: Sts3215Servo; packet: Uint8Array }[] {
    const servos = this.listening();
    const broadcast = p.id === BROADCAST_ID;
    const targets = broadcast ? servos : servos.filter((s) => s.id === p.id);
    const status = (s: Sts3215Servo, data?: Uint8Array) => ({
      servo: s,
      packet: encodeStatus(s.id, s.errorByte, data),
    });
    // Replies to WRITE/REG_WRITE/ACTION only with Response_Status_Level 1, and never to a broadcast.
    const ack = (s: Sts3215Servo, id: number) =>
      !broadcast && s.readRegister('Response_Status_Level') === 1
        ? [{ servo: s, packet: encodeStatus(id, s.errorByte) }]
        : [];
    const { params } = p;
    switch (p.instruction) {
      case Instruction.PING:
        // Broadcast PING is the one broadcast that gets answers: every servo, in bus order.
        return targets.map((s) => status(s));
      case Instruction.READ:
        if (broadcast || params.length !== 2) return [];
        return targets.map((s) => status(s, this.readLogged(s, params[0], params[1])));
      case Instruction.WRITE:
      case Instruction.REG_WRITE: {
        if (params.length < 1) return [];
        const data = params.subarray(1);
        return targets.flatMap((s) => {
          const id = s.id; // answer with the id that was addressed, even if this WRITE changes ID
          if (p.instruction === Instruction.WRITE) this.writeLogged(s, params[0], data);
          else s.regWrite(params[0], data);
          return ack(s, id);
        });
      }
      case Instruction.ACTION:
        return targets.flatMap((s) => {
          s.action();
          return ack(s, s.id);
        });
      case Instruction.SYNC_READ: {
        if (!broadcast || params.length < 2) return [];
        const [address, length] = params;
        const out: { servo: Sts3215Servo; packet: Uint8Array }[] = [];
        // Request order, not bus order: the SDK drops out-of-order replies (reference §1).
        for (const id of params.subarray(2)) {
          for (const s of servos) if (s.id === id) out.push(status(s, this.readLogged(s, address, length)));
        }
        return out;
      }
      case Instruction.SYNC_WRITE: {
        if (!broadcast || params.length < 2) return [];
        const [address, length] = params;
        const stride = length + 1;
        if ((params.length - 2) % stride !== 0) return []; // malformed: a servo cannot find its slice
        for (let at = 2; at < params.length; at += stride) {
          const id = params[at];
          for (const s of servos) if (s.id === id) this.writeLogged(s, address, params.subarray(at + 1, at + stride));
        }
        return [];
      }
      default:
        return []; // unknown or unmodelled instruction (RESET, OFSCAL, …): ignored, no reply
    }
  }
}
