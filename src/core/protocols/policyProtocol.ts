// What the pure core knows of a policy wire protocol: one descriptor per protocol. Its adapters (client,
// readiness probe, the built-in server's session) are registered in io/policy/protocolAdapters.ts under the same name.
import type { RowZeroAlignment } from '../chunking/chunkScheduler';
import type { LayoutName } from '../convert/layouts';

export interface PolicyProtocolDescriptor {
  /** The name in so100.json, on the command line and over the runtime's socket. */
  readonly name: string;
  /** One line for the schema's enum description (VS Code shows it in completions). */
  readonly description: string;
  /** Where row 0 of a reply belongs (see RowZeroAlignment). */
  readonly alignment: RowZeroAlignment;
  /** The converter layout used when `converter.layout` is left out. */
  readonly defaultLayout: LayoutName;
  /** The built-in layouts whose input this protocol's servers take. */
  readonly layouts: readonly LayoutName[];
  /** How the protocol's client sends a model's API key; absent: its servers take none. */
  readonly apiKeyHeader?: ApiKeyHeader;
}

/** An API key travels as `<name>: <prefix><key>` on the websocket's opening request. */
export interface ApiKeyHeader {
  readonly name: string;
  readonly prefix: string;
}
