// The Calibrate Arm panel (webview-ui/calibration): LeRobot's SO-100 calibration, run by the runtime process on the
// arm's bus, with the person answering here. Nothing is touched until Start; closing the panel cancels a flow in
// progress (the arm stays limp). One panel at a time.
import * as vscode from 'vscode';
import type { So100Config } from '../../core/config';
import type { CalibrationAnswer, RuntimeMethod, RuntimeMethods } from '../../core/rpc';
import {
  isCalibrationToHost,
  type CalibrationPanelState,
  type CalibrationTarget,
  type CalibrationToHost,
  type HostToCalibration,
} from '../../contracts/calibrationMessages';
import { calibrationHtml } from './calibrationHtml';
import { pageFile, pageOptions, wirePage } from '../webview/panelPage';
import type { TelemetrySource } from '../runtime/telemetrySource';

export const CALIBRATION_VIEW_TYPE = 'so100.calibrateArm';

/** What the panel needs of the runtime controller. */
export interface CalibrationRuntime extends Pick<TelemetrySource, 'onEvent' | 'status'> {
  call<M extends RuntimeMethod>(method: M, params: RuntimeMethods[M]['params']): Promise<RuntimeMethods[M]['result']>;
  readonly log: { info(line: string): void; warn(line: string): void };
}

export class CalibrationPanel implements vscode.Disposable {
  private static current: CalibrationPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private state: CalibrationPanelState;
  private ready = false;
  private disposed = false;

  /** Reveals the open panel, or opens one at its intro for `config`'s robot. */
  static show(
    extensionUri: vscode.Uri,
    runtime: CalibrationRuntime,
    config: So100Config,
    target: CalibrationTarget,
  ): CalibrationPanel {
    const open = CalibrationPanel.open;
    if (open) {
      // A finished or never-started panel takes the current config; one in progress keeps its arm.
      if (open.state.stage === 'intro' || open.state.stage === 'ended' || open.state.stage === 'error')
        open.reset(config, target);
      open.panel.reveal(undefined, false);
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      CALIBRATION_VIEW_TYPE,
      'SO-100 Calibrate Arm',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      { ...pageOptions(extensionUri), retainContextWhenHidden: true },
    );
    return new CalibrationPanel(panel, extensionUri, runtime, config, target);
  }

  /** The open panel, if any (tests). */
  static get open(): CalibrationPanel | undefined {
    return CalibrationPanel.current && !CalibrationPanel.current.disposed ? CalibrationPanel.current : undefined;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly runtime: CalibrationRuntime,
    private config: So100Config,
    target: CalibrationTarget,
  ) {
    CalibrationPanel.current = this;
    this.state = { stage: 'intro', target, sweeping: false };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    this.disposables.push(
      ...wirePage(panel, {
        html: () =>
          calibrationHtml({
            cspSource: panel.webview.cspSource,
            scriptUri: pageFile(panel, extensionUri, 'calibration.js'),
          }),
        isMessage: isCalibrationToHost,
        onMessage: (m) => void this.handle(m),
        ready: () => this.ready,
        onDispose: () => this.dispose(),
      }),
      runtime.onEvent('calibrationStep', (s) => {
        if (this.state.stage !== 'running' && this.state.stage !== 'starting') return;
        const { robotId, arm, file, simulated, ...step } = s;
        this.post({
          ...this.state,
          stage: 'running',
          target: { robotId, arm, file, simulated },
          step,
          message: undefined,
        });
      }),
      runtime.onEvent('calibrationSample', (sample) => {
        if (this.state.stage === 'running') this.post({ ...this.state, sample });
      }),
      runtime.onEvent('calibrationEnded', (e) => {
        if (this.state.stage !== 'running' && this.state.stage !== 'starting') return;
        this.runtime.log.info(`calibration: ${e.message}`);
        this.post({ ...this.state, stage: 'ended', outcome: e.outcome, message: e.message, sweeping: false });
      }),
      runtime.onEvent('state', (s) => {
        // The runtime went away mid-flow (it crashed, or was stopped): say so rather than wait forever.
        if (s.phase === 'idle' && this.state.stage === 'running') {
          this.post({
            ...this.state,
            stage: 'error',
            sweeping: false,
            message: 'The runtime stopped during the calibration; nothing was saved. Start again.',
          });
        }
      }),
    );
  }

  /** What the webview was last sent. */
  get currentState(): CalibrationPanelState {
    return this.state;
  }

  /** A message from the page (also how the extension-host tests press its buttons). */
  async handle(m: CalibrationToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        void this.panel.webview.postMessage({ type: 'state', state: this.state } satisfies HostToCalibration);
        return;
      case 'start':
        return this.start();
      case 'answer':
        return this.answer(m.answer);
      case 'sweep':
        return this.sweep();
      case 'close':
        this.dispose();
        return;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (CalibrationPanel.current === this) CalibrationPanel.current = undefined;
    // Closing the panel mid-flow cancels it: nobody is left to answer.
    if (this.state.stage === 'running' || this.state.stage === 'starting')
      void this.runtime.call('calibrationAnswer', { answer: 'cancel' }).catch(() => undefined);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  private reset(config: So100Config, target: CalibrationTarget): void {
    this.config = config;
    this.post({ stage: 'intro', target, sweeping: false });
  }

  private async start(): Promise<void> {
    if (this.state.stage !== 'intro' && this.state.stage !== 'ended' && this.state.stage !== 'error') return;
    this.post({ stage: 'starting', target: this.state.target, sweeping: false });
    try {
      const started = await this.runtime.call('calibrate', { config: this.config });
      // The first step may have arrived before the reply; only fill in what it did not.
      if (this.stage() === 'starting') this.post({ ...this.state, stage: 'running', target: started });
    } catch (err) {
      this.post({
        ...this.state,
        stage: 'error',
        message: `Could not start the calibration: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }

  private async answer(answer: CalibrationAnswer): Promise<void> {
    if (
      answer === 'cancel' &&
      (this.state.stage === 'intro' || this.state.stage === 'ended' || this.state.stage === 'error')
    ) {
      this.dispose(); // nothing was touched (or it is over): Cancel closes
      return;
    }
    try {
      await this.runtime.call('calibrationAnswer', { answer });
    } catch (err) {
      if (this.state.stage === 'running')
        this.post({ ...this.state, message: err instanceof Error ? err.message : String(err) });
    }
  }

  private async sweep(): Promise<void> {
    if (this.state.stage !== 'running' || this.state.sweeping) return;
    this.post({ ...this.state, sweeping: true, message: undefined });
    try {
      await this.runtime.call('calibrationSweep', {});
    } catch (err) {
      if (this.state.stage === 'running')
        this.post({ ...this.state, message: err instanceof Error ? err.message : String(err) });
    } finally {
      if (this.state.sweeping) this.post({ ...this.state, sweeping: false });
    }
  }

  /** Read afresh after an await (the events may have moved it on meanwhile). */
  private stage(): CalibrationPanelState['stage'] {
    return this.state.stage;
  }

  private post(state: CalibrationPanelState): void {
    this.state = state;
    if (this.ready && !this.disposed)
      void this.panel.webview.postMessage({ type: 'state', state } satisfies HostToCalibration);
  }
}
