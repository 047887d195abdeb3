// Connect Arm's pick: the simulator or a serial port, adapters that look like the SO-100's board marked.
import * as vscode from 'vscode';
import { SIMULATED_ARM_PORT } from '../../core/config';
import { listSerialPorts } from '../../io/serial/portListing';

/** The chosen port (SIMULATED_ARM_PORT for the simulator), or undefined when the pick was dismissed. */
export async function pickArmPort(): Promise<string | undefined> {
  const ports = await listSerialPorts();
  const items: (vscode.QuickPickItem & { port: string })[] = [
    {
      label: '$(beaker) Simulated SO-100',
      description: SIMULATED_ARM_PORT,
      detail: 'six emulated STS3215 servos, in the runtime',
      port: SIMULATED_ARM_PORT,
    },
    ...ports.map((p) => ({
      label: `$(plug) ${p.path}`,
      port: p.path,
      description: [p.manufacturer, p.vendorId && `${p.vendorId}:${p.productId ?? ''}`].filter(Boolean).join(' · '),
      detail: p.likelySo100 ? 'looks like the SO-100 bus board (CH340 / CH343)' : undefined,
    })),
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: 'SO-100: Connect Arm',
    placeHolder: ports.length
      ? "the arm's serial port, or the simulator"
      : "no serial port found — is the arm's USB cable in? The simulator is always here",
  });
  return pick?.port;
}
