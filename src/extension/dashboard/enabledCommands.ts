// Which dashboard buttons are enabled in the runtime's phase, from the phase table (core/rpc/commandPhases.ts), so
// the buttons offer exactly what the palette offers. The page only applies the list.
import { commandEnabled, type CommandName } from '../../core/rpc';
import type { DashboardCommand, DashboardStatus } from '../../contracts/dashboardMessages';

const TABLE_NAME: Record<DashboardCommand, CommandName> = {
  runEpisode: 'runEpisode',
  step: 'step',
  pause: 'pause',
  resume: 'resume',
  stop: 'stop',
  estop: 'emergencyStop',
  reset: 'reset',
};

/** undefined without a runtime: every button stays clickable and the host answers with advice. */
export function enabledCommands(status: DashboardStatus | undefined): readonly DashboardCommand[] | undefined {
  if (!status) return undefined;
  return (Object.keys(TABLE_NAME) as DashboardCommand[]).filter((c) =>
    commandEnabled(TABLE_NAME[c], status.phase, status.evaluation !== undefined),
  );
}
