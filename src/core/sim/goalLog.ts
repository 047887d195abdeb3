// Every goal position the simulated servos accepted, with where the joint was when it arrived: the evidence the
// fault suite checks ("nothing unsafe reached the servos") without trusting the host's own account. Kept in
// preallocated typed columns, so a long simulated session costs the same fixed memory as a short one.

/** One accepted write to Goal_Position. Positions are raw encoder steps, as the servo sees them. */
export interface GoalWrite {
  readonly id: number;
  /** Goal_Position after the write. */
  readonly goal: number;
  /** Present_Position when the write arrived. */
  readonly present: number;
  /** Present_Position the host last read from this servo (what its step cap is relative to); undefined if never. */
  readonly lastRead: number | undefined;
  /** Whether torque was on after the write (a goal only moves the joint then). */
  readonly torqueOn: boolean;
  /** Bus clock, µs. */
  readonly atUs: number;
}

const NEVER_READ = -0x80000000;

/** A bounded log: the newest `capacity` writes are kept, `total` counts all of them. */
export class GoalLog {
  total = 0;
  private readonly ids: Uint8Array;
  private readonly goals: Int32Array;
  private readonly presents: Int32Array;
  private readonly lastReads: Int32Array;
  private readonly torque: Uint8Array;
  private readonly times: Float64Array;

  /** 30 000 writes = 5 000 ticks of a six-servo arm (about 0.7 MB). */
  constructor(readonly capacity = 30_000) {
    this.ids = new Uint8Array(capacity);
    this.goals = new Int32Array(capacity);
    this.presents = new Int32Array(capacity);
    this.lastReads = new Int32Array(capacity);
    this.torque = new Uint8Array(capacity);
    this.times = new Float64Array(capacity);
  }

  add(write: GoalWrite): void {
    const at = this.total % this.capacity;
    this.ids[at] = write.id;
    this.goals[at] = write.goal;
    this.presents[at] = write.present;
    this.lastReads[at] = write.lastRead ?? NEVER_READ;
    this.torque[at] = write.torqueOn ? 1 : 0;
    this.times[at] = write.atUs;
    this.total++;
  }

  /** The kept writes, oldest first. */
  all(): GoalWrite[] {
    return this.since(0);
  }

  /** Kept writes after the `mark` (a former `total`), oldest first. */
  since(mark: number): GoalWrite[] {
    const out: GoalWrite[] = [];
    for (let n = Math.max(mark, this.total - this.capacity, 0); n < this.total; n++) {
      const at = n % this.capacity;
      const lastRead = this.lastReads[at];
      out.push({
        id: this.ids[at],
        goal: this.goals[at],
        present: this.presents[at],
        lastRead: lastRead === NEVER_READ ? undefined : lastRead,
        torqueOn: this.torque[at] === 1,
        atUs: this.times[at],
      });
    }
    return out;
  }

  clear(): void {
    this.total = 0;
  }
}
