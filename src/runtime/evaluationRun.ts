// An evaluation campaign inside the runtime process: runCampaign (evaluationCampaign.ts), started by `runEvaluation`,
// reporting each finished episode and its end as events, stopped by `cancelEvaluation` or an e-stop. On wall time it
// drives the runtime's own session (the editor's arm, e-stop and dashboard); on virtual time, a session of its own on
// the campaign's clock, as `so100 eval` does. The extension host never runs a campaign, so a window reload or a
// crashed host loses nothing a campaign folder does not already hold, and Resume continues it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CampaignPlanError, planCampaign } from '../core/evaluation';
import type {
  EvaluationAnswer,
  EvaluationEnded,
  EvaluationRequest,
  EvaluationStarted,
  RuntimeEvents,
  RuntimeStatus,
} from '../core/rpc';
import { CampaignError, campaignPlan, readCampaignFolder, runCampaign, type CampaignSetup } from './evaluationCampaign';
import { EvaluationAnswerError, OperatorLabels } from './operatorLabels';
import { WarningLineSink } from './runtimeEventSink';
import { RuntimeSession } from './runtimeSession';

type EvaluationEvent = 'evaluationProgress' | 'evaluationEnded' | 'evaluationAsk';
export type EvaluationEmit = <E extends EvaluationEvent>(event: E, data: RuntimeEvents[E]) => void;

/** Where new campaigns go, under the workspace (as `so100 eval` puts them). */
export const EVALUATIONS_DIR = path.join('.so100', 'evaluations');

export class EvaluationRun {
  /** Resolves once the campaign ended (completed, cancelled or failed) and the session is disconnected. */
  readonly ended: Promise<EvaluationEnded>;
  private readonly abort = new AbortController();
  /** Present when a person labels the outcomes (a real arm, or asked for). */
  private readonly labels: OperatorLabels | undefined;
  /** The session running the campaign's episodes, once runCampaign chose the clock: the runtime's, or its own. */
  private current: RuntimeSession | undefined;

  private constructor(
    readonly started: EvaluationStarted,
    private readonly session: RuntimeSession,
    setup: Omit<CampaignSetup, 'serverContext'>,
    private readonly emit: EvaluationEmit,
    log: (line: string) => void,
  ) {
    this.labels =
      setup.labels === 'operator'
        ? new OperatorLabels(
            (q) => this.emit('evaluationAsk', { outDir: started.outDir, ...q }),
            () => this.abort.abort(),
          )
        : undefined;
    this.ended = this.run(setup, log);
  }

  /** Checks the request (a bad one throws CampaignError before anything is written), then starts the campaign. */
  static async start(
    session: RuntimeSession,
    req: EvaluationRequest,
    workspace: string,
    emit: EvaluationEmit,
    log: (line: string) => void,
  ): Promise<EvaluationRun> {
    const config = req.config;
    if (req.resume !== undefined) {
      const outDir = path.resolve(workspace, req.resume);
      const { manifest, rows } = await readCampaignFolder(outDir);
      const total = campaignPlan(manifest).length;
      if (rows.length >= total)
        throw new CampaignError(`${outDir} is finished (${rows.length} of ${total} episodes); nothing to resume`);
      const started = { outDir, models: manifest.models, total, done: rows.length };
      const setup = { config, models: manifest.models, episodes: 0, startSeed: 0, outDir, resume: true, workspace };
      const labels = manifest.labels ?? req.labels;
      return new EvaluationRun(started, session, { ...setup, ffmpegPath: req.ffmpegPath, labels }, emit, log);
    }
    // A person labels on wall time: they ready the scene and watch each episode on the dashboard (a real arm forces
    // wall time anyway; this keeps an operator-labelled campaign on the simulator there too).
    if (req.labels === 'operator' && req.clock === 'virtual')
      throw new CampaignError(
        'an operator-labelled campaign runs on wall time (the person watches each episode); ask for clock wall or auto',
      );
    const clock = req.labels === 'operator' ? 'wall' : req.clock;
    const models = req.models ?? config.evaluation.models;
    const episodes = req.episodes ?? config.evaluation.episodes;
    const startSeed = req.seed ?? config.evaluation.seed;
    const unknown = models.find((m) => !config.models[m]);
    if (unknown !== undefined)
      throw new CampaignError(`unknown model '${unknown}'; so100.json has ${Object.keys(config.models).join(', ')}`);
    let total: number;
    try {
      total = planCampaign({ models, episodes, startSeed }).length;
    } catch (err) {
      if (err instanceof CampaignPlanError) throw new CampaignError(err.message);
      throw err;
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const outDir = path.resolve(workspace, req.outDir ?? path.join(EVALUATIONS_DIR, stamp));
    if (existsSync(path.join(outDir, 'campaign.json')))
      throw new CampaignError(`${outDir} already holds a campaign; resume it, or choose a new folder`);
    return new EvaluationRun(
      { outDir, models, total, done: 0 },
      session,
      {
        config,
        models,
        episodes,
        startSeed,
        outDir,
        resume: false,
        workspace,
        ffmpegPath: req.ffmpegPath,
        labels: req.labels,
        clock,
      },
      emit,
      log,
    );
  }

  /**
   * Stops the campaign: the current episode is stopped and not counted (a resume runs it again). Resolves once the
   * campaign has ended, its policy servers stopped, so a runtime shutting down leaves no server behind.
   */
  async cancel(): Promise<void> {
    this.abort.abort();
    this.labels?.release();
    await this.current?.stop().catch(() => undefined);
    await this.ended;
  }

  /**
   * An e-stop ends the campaign too; the e-stopped episode must not be counted as a failure. The caller e-stops the
   * runtime's session; a campaign on its own session (virtual time) e-stops that one here and returns its outcome
   * (the arm the e-stop actually stopped).
   */
  abortForEstop(): ReturnType<RuntimeSession['estop']> | undefined {
    this.abort.abort();
    this.labels?.release();
    return this.current && this.current !== this.session ? this.current.estop() : undefined;
  }

  /** The operator's Stop Episode: ends the episode under way (then its label is asked), on whichever session runs it. */
  stopEpisode(): Promise<RuntimeStatus> {
    return (this.current ?? this.session).stop();
  }

  /** A person labels the outcomes (and may stop an episode early). */
  get operatorLabelled(): boolean {
    return this.labels !== undefined;
  }

  /** The operator's answer to the pending question; throws EvaluationAnswerError when it does not fit. */
  answer(answer: EvaluationAnswer, note?: string): void {
    if (!this.labels) throw new EvaluationAnswerError('this campaign is labelled by the scene, not by a person');
    this.labels.answer(answer, note);
  }

  private async run(
    setup: Omit<CampaignSetup, 'serverContext'>,
    log: (line: string) => void,
  ): Promise<EvaluationEnded> {
    const { outDir, total } = this.started;
    const t0 = performance.now();
    let doneThisRun = 0;
    let done = this.started.done;
    let ended: EvaluationEnded;
    let own: RuntimeSession | undefined;
    try {
      const result = await runCampaign(
        (clock) => {
          // Wall time: the runtime's own session, on wall time too; its arm, e-stop and dashboard are the editor's, so
          // a real arm is the one the editor connects and the person sees each episode. Virtual time (everything is
          // simulated in this process): a session of the campaign's own on its clock, as `so100 eval` makes; its
          // warnings go to the runtime's log beside the campaign's lines, its telemetry nowhere.
          own =
            clock.kind === 'wall' ? undefined : new RuntimeSession(new WarningLineSink(log), setup.workspace, clock);
          const session = own ?? this.session;
          this.current = session;
          return this.labels ? this.labels.wrap(session) : session;
        },
        {
          ...setup,
          serverContext: { so100: so100Command(), workspaceFolder: setup.workspace },
        },
        {
          log,
          signal: this.abort.signal,
          onRow: (row, d) => {
            doneThisRun++;
            done = d;
            this.emit('evaluationProgress', {
              outDir,
              total,
              done: d,
              doneThisRun,
              elapsedMs: performance.now() - t0,
              episode: {
                model: row.model,
                seed: row.seed,
                success: row.success,
                reason: row.reason,
                episodeDir: row.episodeDir,
              },
            });
          },
        },
      );
      ended = result.completed
        ? { outDir, outcome: 'completed', message: `Evaluation finished: ${total} episodes in ${outDir}` }
        : {
            outDir,
            outcome: 'cancelled',
            message: `Evaluation stopped after ${done} of ${total} episodes; Resume Evaluation… continues it (${outDir})`,
          };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      ended = {
        outDir,
        outcome: 'failed',
        message:
          `Evaluation stopped after ${done} of ${total} episodes: ${why}` +
          (/resum/i.test(why) ? '' : ` (Resume Evaluation… continues it: ${outDir})`),
      };
    }
    // runCampaign disconnects the session it drove; a campaign's own session is done with in any case.
    await own?.disconnect().catch(() => undefined);
    this.emit('evaluationEnded', ended);
    return ended;
  }
}

/**
 * How to run `so100 serve` for the campaign's built-in servers: the CLI beside this runtime, on this Node (the
 * bundled dist/cli.js beside dist/runtime.js, or src/cli/main.ts under tsx beside src/runtime/main.ts).
 */
function so100Command(): { command: string; args: string[] } {
  const entry = process.argv[1] ?? '';
  const cli = entry.endsWith('.ts')
    ? path.resolve(path.dirname(entry), '..', 'cli', 'main.ts')
    : path.join(path.dirname(entry), 'cli.js');
  return { command: process.execPath, args: [...process.execArgv, cli] };
}
