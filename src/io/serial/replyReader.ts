// The receiving side of the Feetech bus: bytes from the transport are parsed into status packets for the one
// transaction waiting, and dropped (counted stale) while none waits. Apart from the bus's queue and reply window
// because it alone owns the parser's buffer and knows whether a reply that missed its window may still come.
import { StatusParser, type FrameVisitor } from '../../core/feetech';
import type { FeetechBusStats } from './feetechBusStats';

/**
 * The transaction waiting for replies: gets each checked status packet as it is parsed (id, ERR byte, and its data
 * in bytes[start, end), valid only during the call), then, once per received chunk, how many were corrupt; or the
 * bus's end. It settles only in onChunk, after the whole chunk is parsed.
 */
export interface WaitingTransaction {
  readonly onReply: FrameVisitor;
  readonly onChunk: (corrupt: number) => void;
  readonly onClosed: (err: Error) => void;
}

export class ReplyReader {
  private readonly parser = new StatusParser();
  private active: WaitingTransaction | undefined;
  /** A reply missed its window: it may still come, and must not be taken as the answer to the next request. */
  private lateReply = false;

  constructor(
    /** The bus's live counters (bytesRead, staleBytes). */
    private readonly stats: FeetechBusStats,
    private readonly latencyMs: number,
  ) {}

  /** Routes received bytes to `transaction` until stopListening(). */
  listen(transaction: WaitingTransaction): void {
    this.active = transaction;
  }

  stopListening(): void {
    this.active = undefined;
  }

  /** Drops a partial packet, so it cannot join the next request's replies. */
  discardBuffered(): void {
    this.parser.discardBuffered();
  }

  /** A window closed without every reply: the next call first lets late ones pass (letLateRepliesPass). */
  windowMissed(): void {
    this.lateReply = true;
  }

  /** Whether letLateRepliesPass has a window to wait out (checked first, so the steady path awaits nothing). */
  get lateReplyPossible(): boolean {
    return this.lateReply;
  }

  /**
   * After a missed window, wait one more latency window with nobody listening: a reply that was only late (a loaded
   * machine, a pty) lands then and is counted stale. STS replies carry no address, so a late READ reply would
   * otherwise be taken for the next READ of the same servo — a wrong value, not an error.
   */
  async letLateRepliesPass(): Promise<void> {
    if (!this.lateReply) return;
    this.lateReply = false;
    await new Promise((r) => setTimeout(r, this.latencyMs));
    this.parser.discardBuffered();
  }

  /** The transport's onData. */
  received(bytes: Uint8Array): void {
    this.stats.bytesRead += bytes.length;
    const active = this.active;
    if (!active) {
      this.stats.staleBytes += bytes.length; // a late reply: nobody is waiting for it
      return;
    }
    const before = this.parser.corruptCount;
    this.parser.scan(bytes, active.onReply);
    active.onChunk(this.parser.corruptCount - before);
  }

  /** The bus ended (closed, port lost): the waiting transaction fails with `reason`. */
  closed(reason: Error): void {
    this.active?.onClosed(reason);
  }
}
