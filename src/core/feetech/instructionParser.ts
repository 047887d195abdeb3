// Streaming parser for host → servo instruction packets (FF FF ID LEN INSTR params CHK); the emulator's input.
import { PacketFramer, type ParserCounters } from './packetFramer';

/** One instruction packet from the host. */
export interface InstructionPacket {
  /** Target id; 0xFE is broadcast. */
  readonly id: number;
  readonly instruction: number;
  readonly params: Uint8Array;
}

/**
 * Turns a host byte stream into instruction packets, with the same resync rules as StatusParser except
 * that ID 0xFE (broadcast) is valid and any instruction byte is passed on (servos ignore unknown ones).
 */
export class InstructionParser {
  private readonly framer = new PacketFramer(0xfe, 0xff);

  /** Feeds received bytes; returns the instruction packets completed by them, in order. */
  push(chunk: Uint8Array): InstructionPacket[] {
    return this.framer.push(chunk).map((f) => ({ id: f.id, instruction: f.code, params: f.params }));
  }

  /** `{ corrupt, resyncBytes }` since construction or reset(). */
  get counters(): ParserCounters {
    return this.framer.counters;
  }

  /** Bytes held waiting for the rest of a packet (bounded by one maximal packet). */
  get bufferedBytes(): number {
    return this.framer.bufferedBytes;
  }

  /** Drops buffered bytes and zeroes the counters. */
  reset(): void {
    this.framer.reset();
  }
}
