// openpi's websocket policy server (scripts/serve_policy.py): msgpack-numpy frames (./msgpackNumpy), a metadata frame
// first, then strictly observation → action chunk; the chunk's row 0 is the action for the observation's step.
import type { PolicyProtocolDescriptor } from './policyProtocol';

export const OPENPI_PROTOCOL = {
  name: 'openpi',
  description:
    'openpi websocket policy server (`scripts/serve_policy.py`, msgpack-numpy), the protocol of π₀ / π₀-FAST.',
  alignment: 'observation',
  defaultLayout: 'openpi-so100',
  layouts: ['openpi-so100', 'droid', 'libero', 'aloha'],
  // As openpi's own websocket client sends it.
  apiKeyHeader: { name: 'Authorization', prefix: 'Api-Key ' },
} as const satisfies PolicyProtocolDescriptor;
