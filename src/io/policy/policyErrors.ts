// Typed errors of the policy link. Each message says what happened and what the user can do about it.

/** Base class: every policy-link failure is one of these. */
export class PolicyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server reported an exception (openpi: a text frame with the traceback, then close 1011). */
export class PolicyServerError extends PolicyError {
  constructor(readonly url: string, readonly traceback: string) {
    super(`the policy server at ${url} failed while handling the request:\n${traceback.trimEnd()}`);
  }
}

/** No reply in time. The connection has been discarded so a late reply can never answer a later request. */
export class PolicyTimeoutError extends PolicyError {
  constructor(readonly url: string, readonly operation: string, readonly timeoutMs: number) {
    super(`${operation} on ${url} got no reply within ${timeoutMs} ms; the connection was dropped and will be ` +
      're-opened for the next request (raise the timeout if the first, compiling inference is slow)');
  }
}

/** Could not reach the server at all. */
export class PolicyConnectionError extends PolicyError {
  constructor(readonly url: string, readonly detail: string, options?: { cause?: unknown }) {
    super(`cannot connect to the policy server at ${url}: ${detail}`, options);
  }
}

/** The connection closed under a request. */
export class PolicyClosedError extends PolicyError {
  constructor(readonly url: string, readonly code: number, readonly reason: string) {
    super(`the policy server at ${url} closed the connection (code ${code}${reason ? `: ${reason}` : ''})`);
  }
}

/** The server answered, but not in the protocol we expected (wrong frame type, missing keys, bad shapes). */
export class PolicyProtocolError extends PolicyError {}

/** The server does not offer an optional operation (e.g. get_stats on a stock awesome-lerobot server). */
export class PolicyUnsupportedError extends PolicyError {}

/** Turns a socket-level connect error into advice a user can act on. */
export function describeConnectError(err: unknown, url: string): string {
  const code = (err as { code?: string } | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing is listening there (${message}); start the server, or check the host and port`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name does not resolve (${message}); check the host in ${url}`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `the host does not answer (${message}); check the network path, VPN or SSH tunnel`;
    case 'ECONNRESET':
      return `the connection was reset (${message}); is this a websocket policy server?`;
    default:
      return message;
  }
}
