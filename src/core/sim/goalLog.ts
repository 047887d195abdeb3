// Every goal position the simulated servos accepted, with where the joint was when it arrived: the evidence the
// fault suite checks ("nothing unsafe reached the servos") without trusting the host's own account.

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

/** A bounded log: the newest `capacity` writes are kept, `total` counts all of them. */
export class GoalLog {
  private readonly entries: GoalWrite[] = [];
  private head = 0;
  total = 0;

  constructor(readonly capacity = 100_000) {}

  add(write: GoalWrite): void {
    this.total++;
    if (this.entries.length < this.capacity) this.entries.push(write);
    else {
      this.entries[this.head] = write;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** The kept writes, oldest first. */
  all(): GoalWrite[] {
    return [...this.entries.slice(this.head), ...this.entries.slice(0, this.head)];
  }

  /** Kept writes after the `mark` (a former `total`), oldest first. */
  since(mark: number): GoalWrite[] {
    const kept = this.all();
    const skip = Math.max(0, kept.length - (this.total - mark));
    return kept.slice(skip);
  }

  clear(): void {
    this.entries.length = 0;
    this.head = 0;
    this.total = 0;
  }
}
