// A person labels a real arm's outcomes: the scene cannot tell success there. This wraps the session a campaign
// drives, so the campaign engine stays as it is: after the reset glide the operator is asked to reset the scene and
// answer Ready; when the episode ends, to label it (Success / Failure, with an optional note; Redo runs it again;
// Stop ends the campaign without counting it). The label replaces the runtime's verdict in the episode's summary.
import {
  endedEarlySummary,
  type EpisodeSummary,
  type EvaluationAnswer,
  type EvaluationAsk,
  type RuntimeStatus,
} from '../core/rpc';
import type { So100Config } from '../core/config';
import type { RuntimeSession } from './runtimeSession';

/** An answer that does not fit the pending question (or none is pending). */
export class EvaluationAnswerError extends Error {
  override readonly name = 'EvaluationAnswerError';
}

type Question = Omit<EvaluationAsk, 'outDir'>;

export class OperatorLabels {
  private pending:
    | { readonly question: Question; readonly resolve: (a: { answer: EvaluationAnswer; note?: string }) => void }
    | undefined;
  private model = '';
  private seed = 0;
  private stopped = false;

  constructor(
    private readonly ask: (q: Question) => void,
    /** Ends the campaign (its abort signal): the episode under way is then not counted. */
    private readonly stop: () => void,
  ) {}

  /** The pending question, if any (a host that reconnected asks again). */
  get pendingQuestion(): Question | undefined {
    return this.pending?.question;
  }

  answer(answer: EvaluationAnswer, note?: string): void {
    const p = this.pending;
    if (!p) throw new EvaluationAnswerError('no question is pending; the campaign is running an episode');
    if (!p.question.answers.includes(answer))
      throw new EvaluationAnswerError(
        `"${answer}" does not answer this question; use ${p.question.answers.join(', ')}`,
      );
    this.pending = undefined;
    p.resolve({ answer, note });
  }

  /** Answers a pending question with Stop (the campaign was cancelled or e-stopped). */
  release(): void {
    this.stopped = true;
    const p = this.pending;
    this.pending = undefined;
    p?.resolve({ answer: 'stop' });
  }

  /** `session` as the campaign sees it: the same, with the operator asked around each episode. */
  wrap(session: RuntimeSession): RuntimeSession {
    const labels = this;
    const overrides: Partial<RuntimeSession> = {
      async applyConfig(config: So100Config) {
        // The campaign gives each planned episode its model and seed this way: remember them for the questions.
        labels.model = config.activeModel;
        labels.seed = config.robot.seed;
        return session.applyConfig(config);
      },
      async reset(): Promise<RuntimeStatus> {
        const status = await session.reset();
        await labels.ready();
        return status;
      },
      async runEpisode(options?: { readonly startPaused?: boolean }): Promise<RuntimeStatus> {
        // Stopped at Ready: nothing moves; the campaign sees the abort and counts nothing.
        if (labels.stopped) return session.status();
        return session.runEpisode(options);
      },
      episodeEnded(): Promise<EpisodeSummary> | undefined {
        // What episodeEnded gives after a Stop at Ready: never counted (the campaign is aborted by then).
        if (labels.stopped) return Promise.resolve(endedEarlySummary(0, 'stopped by the operator'));
        const first = session.episodeEnded();
        return first && labels.label(session, first);
      },
    };
    return new Proxy(session, {
      get(target, prop, receiver) {
        if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof RuntimeSession];
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  private asked(q: Omit<Question, 'model' | 'seed'>): Promise<{ answer: EvaluationAnswer; note?: string }> {
    if (this.stopped) return Promise.resolve({ answer: 'stop' });
    const question = { ...q, model: this.model, seed: this.seed };
    return new Promise((resolve) => {
      this.pending = { question, resolve };
      this.ask(question);
    });
  }

  private async ready(): Promise<void> {
    const { answer } = await this.asked({ ask: 'ready', answers: ['ready', 'stop'] });
    if (answer === 'stop') this.halt();
  }

  private async label(session: RuntimeSession, ended: Promise<EpisodeSummary>): Promise<EpisodeSummary> {
    let s = await ended;
    for (;;) {
      const { answer, note } = await this.asked({
        ask: 'label',
        answers: ['success', 'failure', 'redo', 'stop'],
        episode: { reason: s.reason, steps: s.steps },
      });
      if (answer === 'stop') {
        this.halt();
        return s;
      }
      if (answer === 'redo') {
        await session.reset();
        await this.ready();
        if (this.stopped) return s;
        await session.runEpisode();
        s = await session.episodeEnded()!;
        continue;
      }
      const why = note?.trim() ? note.trim() : `labelled ${answer} by the operator`;
      return { ...s, success: answer === 'success', reason: why };
    }
  }

  private halt(): void {
    this.stopped = true;
    this.stop();
  }
}
