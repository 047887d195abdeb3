// What the arm reports that does not stop it: tolerated servo error bits (told once per servo and bits per
// episode) and checksum errors the bus recovered from during an episode.
import type { ServoErrorReport } from '../core/so100';
import type { FeetechBusStats } from '../io/serial/feetechBusStats';

export class ArmWarnings {
  /** Tolerated servo error reports already told this episode (id:errorByte). */
  private readonly servoWarned = new Set<string>();

  constructor(private readonly warn: (message: string) => void) {}

  /** A new episode: every tolerated error is worth telling once again. */
  newEpisode(): void {
    this.servoWarned.clear();
  }

  /** Error bits that do not stop the arm (the gripper's grasp overload); `arm` names it in the message. */
  servoWarning(report: ServoErrorReport, arm: string): void {
    const key = `${report.id}:${report.errorByte}`;
    if (this.servoWarned.has(key)) return;
    this.servoWarned.add(key);
    const bits =
      report.tolerated.length > 0
        ? report.tolerated.join(' + ')
        : `status 0x${report.errorByte.toString(16).padStart(2, '0')}`;
    const why =
      report.motor === 'gripper' && report.tolerated.includes('overload')
        ? 'a grasp that squeezes trips the overload protection (torque drops to 25 %); if nothing is held, check for a jam'
        : 'not a reason to stop, but watch it';
    this.warn(`servo ${report.id} (${report.motor}) on ${arm} reports ${bits}: ${why}. The episode goes on.`);
  }

  /** Checksum failures the bus recovered from between two readings of its stats: harmless once, a cable or id problem if frequent. */
  busErrors(arm: string, before: FeetechBusStats, now: FeetechBusStats): void {
    const corrupt = now.corrupt - before.corrupt;
    if (corrupt === 0) return;
    const retried = now.retries - before.retries + now.resends - before.resends;
    this.warn(
      `${corrupt} corrupt status packet${corrupt === 1 ? '' : 's'} (checksum errors) on ${arm} during the episode; ` +
        `${retried} request${retried === 1 ? ' was' : 's were'} sent again. Now and then is noise; often means a loose 3-pin cable, ` +
        'a long or unshielded USB cable, or two servos sharing an id.',
    );
  }
}
