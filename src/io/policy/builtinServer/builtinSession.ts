// What the built-in server asks of a protocol's session: one per websocket connection, fed its messages in order.
// The pieces both protocols' sessions share (openpi's error close, the injected traceback) live here too.

export interface BuiltinSession {
  /** The connection is open: a protocol whose server speaks first (openpi's metadata) does so here. */
  open(): void;
  /** One message; replies go out on the session's socket. `received`: performance.now() at arrival. */
  handle(data: Uint8Array, isBinary: boolean, received: number): Promise<void>;
}

/** The close reason openpi's server gives with code 1011, after a text frame with the traceback. */
export const CLOSE_REASON_1011 = 'Internal server error. Traceback included in previous frame.';

/** The `traceback` fault's error: its text frame is a Python traceback, not this stack. */
export class InjectedTraceback extends Error {
  constructor() {
    super('injected traceback (so100 serve --fault traceback)');
  }
}
