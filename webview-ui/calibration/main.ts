// The Calibrate Arm page: LeRobot's steps as a list with the current one marked, the prompt, the buttons the step
// allows, the problems, and while ranges are recorded a live min / max / current row per joint. It renders whatever
// state the host sends; every button goes back as a message.
import { HostBridge } from '../shared/hostBridge';
import {
  isHostToCalibration,
  type CalibrationAnswer,
  type CalibrationPanelState,
  type CalibrationSampleView,
  type CalibrationToHost,
  type HostToCalibration,
} from '../../src/contracts/calibrationMessages';

const bridge = new HostBridge<CalibrationToHost, HostToCalibration>(isHostToCalibration);
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** The flow's phases in order, as the step list names them. */
const STEPS: readonly { readonly phases: readonly string[]; readonly label: string }[] = [
  { phases: ['torqueOff'], label: 'Torque off' },
  { phases: ['awaitMiddle'], label: 'Arm to the middle of its range' },
  { phases: ['homing'], label: 'Homing offsets' },
  { phases: ['recordRanges'], label: 'Record joint ranges' },
  { phases: ['write'], label: 'Write to the motors' },
  { phases: ['done'], label: 'Saved' },
];

const ANSWER_BUTTONS: Readonly<Record<Exclude<CalibrationAnswer, 'cancel'>, string>> = {
  continue: 'btn-continue',
  finish: 'btn-finish',
  recenter: 'btn-recenter',
  restart: 'btn-restart',
};

byId('btn-start').addEventListener('click', () => bridge.post({ type: 'start' }));
byId('btn-cancel').addEventListener('click', () => bridge.post({ type: 'answer', answer: 'cancel' }));
byId('btn-sweep').addEventListener('click', () => bridge.post({ type: 'sweep' }));
byId('btn-close').addEventListener('click', () => bridge.post({ type: 'close' }));
for (const [answer, id] of Object.entries(ANSWER_BUTTONS)) {
  byId(id).addEventListener('click', () => bridge.post({ type: 'answer', answer: answer as CalibrationAnswer }));
}

bridge.start((m) => render(m.state));

function render(s: CalibrationPanelState): void {
  const phase =
    s.stage === 'running'
      ? (s.step?.phase ?? 'torqueOff')
      : s.stage === 'ended' && s.outcome === 'saved'
        ? 'done'
        : undefined;
  document.body.dataset.stage = s.stage;
  document.body.dataset.phase = phase ?? '';
  byId('target').textContent = `${s.target.robotId} on ${s.target.arm}`;
  byId('file').textContent = s.target.file;
  renderSteps(phase, s.stage);
  byId('prompt').textContent = prompt(s);
  const message = byId('message');
  message.textContent = s.message ?? '';
  message.className = s.outcome === 'saved' ? 'ok' : s.message ? (s.stage === 'running' ? 'warning' : 'error') : '';
  const problems = byId('problems');
  problems.replaceChildren(
    ...(s.step?.problems ?? []).map((p) => {
      const li = document.createElement('li');
      li.dataset.kind = p.kind;
      li.dataset.motor = p.motor;
      li.textContent = p.message;
      return li;
    }),
  );
  const answers = s.stage === 'running' ? (s.step?.answers ?? []) : [];
  show('btn-start', s.stage === 'intro');
  for (const [answer, id] of Object.entries(ANSWER_BUTTONS)) {
    show(id, answers.includes(answer as CalibrationAnswer));
    byId<HTMLButtonElement>(id).disabled = s.sweeping;
  }
  show('btn-sweep', s.target.simulated && answers.includes('finish'));
  byId<HTMLButtonElement>('btn-sweep').disabled = s.sweeping;
  byId('btn-sweep').textContent = s.sweeping ? 'Sweeping joints…' : 'Sweep joints (simulator)';
  // Cancel at every step; in the intro it just closes the panel (nothing was touched).
  show(
    'btn-cancel',
    s.stage === 'intro' || s.stage === 'starting' || (s.stage === 'running' && answers.includes('cancel')),
  );
  show('btn-close', s.stage === 'ended' || s.stage === 'error');
  renderJoints(
    s.stage === 'running' && phase === 'recordRanges' ? s.sample : s.stage === 'ended' ? s.sample : undefined,
  );
}

function prompt(s: CalibrationPanelState): string {
  switch (s.stage) {
    case 'intro':
      return (
        `Calibrating turns the arm's torque off: support it so it does not fall. Then you put it at the middle of its range, ` +
        `move every joint through its travel, and the result is saved where LeRobot looks for it.`
      );
    case 'starting':
      return "Opening the arm's bus…";
    case 'running':
      return s.step?.prompt ?? '';
    case 'ended':
      return s.outcome === 'saved'
        ? 'Calibration done. Connect the arm (Run Episode or Connect Arm) to turn its torque back on.'
        : '';
    case 'error':
      return '';
  }
}

function renderSteps(phase: string | undefined, stage: CalibrationPanelState['stage']): void {
  const at = phase === undefined ? -1 : STEPS.findIndex((x) => x.phases.includes(phase));
  const list = byId('steps');
  list.replaceChildren(
    ...STEPS.map((x, i) => {
      const li = document.createElement('li');
      li.textContent = x.label;
      li.dataset.state =
        at < 0
          ? 'todo'
          : i < at || (i === at && phase === 'done')
            ? 'done'
            : i === at
              ? stage === 'running'
                ? 'current'
                : 'todo'
              : 'todo';
      return li;
    }),
  );
}

function renderJoints(sample: CalibrationSampleView | undefined): void {
  const section = byId('ranges');
  section.hidden = !sample;
  if (!sample) return;
  byId('samples').textContent = `${sample.samples} samples`;
  const body = byId('joint-rows');
  body.replaceChildren(
    ...sample.joints.map((j) => {
      const tr = document.createElement('tr');
      tr.dataset.motor = j.motor;
      const cells = j.fullTurn
        ? [j.motor, '0', '4095', String(j.current), 'full turn']
        : [j.motor, String(j.min), String(j.max), String(j.current), `${j.spanDegrees}°`];
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = c;
        tr.append(td);
      }
      // A bar of the 0–4095 encoder: the recorded range shaded, the current position marked.
      const barCell = document.createElement('td');
      const bar = document.createElement('div');
      bar.className = 'bar';
      const range = document.createElement('div');
      range.className = 'range';
      const lo = j.fullTurn ? 0 : j.min;
      const hi = j.fullTurn ? 4095 : j.max;
      range.style.left = `${(lo / 4095) * 100}%`;
      range.style.width = `${Math.max(0.5, ((hi - lo) / 4095) * 100)}%`;
      const now = document.createElement('div');
      now.className = 'now';
      now.style.left = `${(j.current / 4095) * 100}%`;
      bar.append(range, now);
      barCell.append(bar);
      tr.append(barCell);
      return tr;
    }),
  );
}

function show(id: string, visible: boolean): void {
  byId(id).hidden = !visible;
}
