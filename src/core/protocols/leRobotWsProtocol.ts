// awesome-lerobot's websocket message protocol: typed msgpack-numpy maps (./leRobotMessage); one action per
// select_action, taken from the server's own queue, so row 0 is the next action, not the observation's.
import type { PolicyProtocolDescriptor } from './policyProtocol';

export const LEROBOT_WS_PROTOCOL = {
  name: 'lerobot-ws',
  description: 'awesome-lerobot websocket message protocol (LeRobot `select_action`, one step per reply).',
  alignment: 'next',
  defaultLayout: 'lerobot-ws',
  layouts: ['lerobot-ws'],
} as const satisfies PolicyProtocolDescriptor;
