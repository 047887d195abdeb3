// Feetech STS packet encoding: FF FF | ID | LEN | INSTR/ERR | params | CHK (reference §1).
import { PacketTooLongError, RegisterValueError, ServoIdError } from './feetechErrors';

/** Instruction codes (host → servo). */
export const Instruction = {
  PING: 0x01,
  READ: 0x02,
  WRITE: 0x03,
  REG_WRITE: 0x04,
  ACTION: 0x05,
  SYNC_READ: 0x82,
  SYNC_WRITE: 0x83,
} as const;
export type InstructionName = keyof typeof Instruction;

/** Every servo listens to this id; only PING to it gets answers. */
export const BROADCAST_ID = 0xfe;
/** Largest packet (header to checksum) the SDK sends or accepts. */
export const MAX_PACKET_BYTES = 250;
/** Header, ID, LEN and CHK around the instruction/error byte and the parameters. */
export const PACKET_OVERHEAD = 6;

/** Name of an instruction code, for messages ("0x0a" when unknown). */
export function instructionName(code: number): string {
  for (const [name, value] of Object.entries(Instruction)) if (value === code) return name;
  return `0x${code.toString(16).padStart(2, '0')}`;
}

/** ~(sum of bytes[start..end)) & 0xFF — the Feetech checksum over ID..last parameter. */
export function checksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i];
  return ~sum & 0xff;
}

/** `third` is an instruction code, or a status packet's error byte; the name is looked up only for the error. */
function frame(id: number, third: number, params: Uint8Array, kind: 'instruction' | 'status'): Uint8Array {
  const total = params.length + PACKET_OVERHEAD;
  if (total > MAX_PACKET_BYTES)
    throw new PacketTooLongError(kind === 'status' ? 'status' : instructionName(third), total, MAX_PACKET_BYTES);
  const out = new Uint8Array(total);
  out[0] = 0xff;
  out[1] = 0xff;
  out[2] = id;
  out[3] = params.length + 2;
  out[4] = third;
  out.set(params, PARAMS_START);
  out[total - 1] = checksum(out, 2, total - 1);
  return out;
}

function checkByte(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new RegisterValueError(what, value, `${what} must be a byte (0–255), got ${value}.`);
  }
}

function checkTargetId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > BROADCAST_ID) throw new ServoIdError(id, '0–253, or 254 for broadcast');
}

function checkServoId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xfd) throw new ServoIdError(id, '0–253 (254 is broadcast)');
}

/** Encodes any instruction packet; throws PacketTooLongError beyond 250 bytes. */
export function encodeInstruction(id: number, instruction: number, params: Uint8Array = new Uint8Array(0)): Uint8Array {
  checkTargetId(id);
  checkByte(instruction, 'instruction');
  return frame(id, instruction, params, 'instruction');
}

/** PING: the servo answers with an empty status packet. */
export function encodePing(id: number): Uint8Array {
  return encodeInstruction(id, Instruction.PING);
}

/** READ `length` bytes starting at `address`. */
export function encodeRead(id: number, address: number, length: number): Uint8Array {
  checkByte(address, 'address');
  checkByte(length, 'length');
  return encodeInstruction(id, Instruction.READ, Uint8Array.of(address, length));
}

/** WRITE `data` starting at `address`. */
export function encodeWrite(id: number, address: number, data: Uint8Array): Uint8Array {
  checkByte(address, 'address');
  return encodeInstruction(id, Instruction.WRITE, concat(Uint8Array.of(address), data));
}

/** REG_WRITE: like WRITE but held by the servo until ACTION. */
export function encodeRegWrite(id: number, address: number, data: Uint8Array): Uint8Array {
  checkByte(address, 'address');
  return encodeInstruction(id, Instruction.REG_WRITE, concat(Uint8Array.of(address), data));
}

/** ACTION: runs buffered REG_WRITEs (normally broadcast). */
export function encodeAction(id: number = BROADCAST_ID): Uint8Array {
  return encodeInstruction(id, Instruction.ACTION);
}

/** SYNC_READ of `length` bytes at `address` from each id; replies come back in this order. */
export function encodeSyncRead(address: number, length: number, ids: readonly number[]): Uint8Array {
  checkByte(address, 'address');
  checkByte(length, 'length');
  ids.forEach(checkServoId);
  const params = new Uint8Array(2 + ids.length);
  params[0] = address;
  params[1] = length;
  params.set(ids, 2);
  return encodeInstruction(BROADCAST_ID, Instruction.SYNC_READ, params);
}

/** One servo's slice of a SYNC_WRITE. */
export interface SyncWriteEntry {
  readonly id: number;
  readonly data: Uint8Array;
}

/** SYNC_WRITE of `length` bytes at `address`, one data block per servo; servos do not answer. */
export function encodeSyncWrite(address: number, length: number, entries: readonly SyncWriteEntry[]): Uint8Array {
  checkByte(address, 'address');
  checkByte(length, 'length');
  const params = new Uint8Array(2 + entries.length * (length + 1));
  params[0] = address;
  params[1] = length;
  let index = 0;
  for (const { id, data } of entries) {
    const at = syncWriteBlockAt(index++, length);
    checkServoId(id);
    if (data.length !== length) {
      throw new RegisterValueError(
        'SYNC_WRITE data',
        data.length,
        `SYNC_WRITE data for servo ${id} has ${data.length} bytes; every servo needs exactly ${length}.`,
      );
    }
    params[at] = id;
    params.set(data, at + 1);
  }
  return encodeInstruction(BROADCAST_ID, Instruction.SYNC_WRITE, params);
}

/** Where servo `index`'s block (its id, then `length` data bytes) starts in a SYNC_WRITE's parameters. */
export function syncWriteBlockAt(index: number, length: number): number {
  return 2 + index * (length + 1);
}

/** Where a packet's parameters start: after FF FF ID LEN INSTR. */
export const PARAMS_START = 5;

/** Recomputes a packet's checksum after its parameters were rewritten in place (a prepared SYNC_WRITE). */
export function resealPacket(packet: Uint8Array): void {
  packet[packet.length - 1] = checksum(packet, 2, packet.length - 1);
}

/** A status packet as a servo sends it (used by the emulator and by tests). */
export function encodeStatus(id: number, error: number, params: Uint8Array = new Uint8Array(0)): Uint8Array {
  checkServoId(id);
  checkByte(error, 'error');
  return frame(id, error, params, 'status');
}

/** Little-endian bytes of an unsigned value (STS is little-endian; 4 bytes = low word then high word). */
export function writeUintLE(value: number, size: 1 | 2 | 4): Uint8Array {
  const max = 2 ** (8 * size) - 1;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RegisterValueError(`${size}-byte value`, value, `a ${size}-byte register holds 0–${max}, got ${value}.`);
  }
  const out = new Uint8Array(size);
  putUintLE(out, 0, value, size);
  return out;
}

/** Writes `value` as `size` little-endian bytes at `offset`, unchecked: for values already checked in range. */
export function putUintLE(out: Uint8Array, offset: number, value: number, size: 1 | 2 | 4): void {
  for (let i = 0; i < size; i++) out[offset + i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
}

/** Unsigned little-endian value of `size` bytes at `offset`. */
export function readUintLE(bytes: Uint8Array, offset: number, size: 1 | 2 | 4): number {
  if (offset < 0 || offset + size > bytes.length) {
    throw new RegisterValueError(
      `${size}-byte value`,
      offset,
      `cannot read ${size} bytes at offset ${offset} from ${bytes.length} bytes of data; read the register with its full size.`,
    );
  }
  let value = 0;
  for (let i = size - 1; i >= 0; i--) value = value * 256 + bytes[offset + i];
  return value;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
