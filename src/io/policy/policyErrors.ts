// Typed errors of the policy link. Each message says what happened and what the user can do about it.

/** Base class: every policy-link failure is one of these. */
export class PolicyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The server reported an exception (openpi: a text frame with the traceback, then close 1011), or closed with 1011
 * without one; then `traceback` is empty and `summary` says what happened.
 */
export class PolicyServerError extends PolicyError {
  constructor(
    readonly url: string,
    readonly traceback: string,
    summary?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the policy server at ${url} failed while handling the request${summary ? `: ${summary}` : `:\n${traceback.trimEnd()}`}`,
      options,
    );
  }
}

/** No reply in time. The connection has been discarded so a late reply can never answer a later request. */
export class PolicyTimeoutError extends PolicyError {
  constructor(
    readonly url: string,
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(
      `${operation} on ${url} got no reply within ${timeoutMs} ms; the connection was dropped and will be ` +
        're-opened for the next request (raise the timeout if the first, compiling inference is slow)',
    );
  }
}

/** Could not reach the server at all. */
export class PolicyConnectionError extends PolicyError {
  constructor(
    readonly url: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot connect to the policy server at ${url}: ${detail}`, options);
  }
}

/** The connection closed under a request (or before one could be sent). The next request opens a new one. */
export class PolicyClosedError extends PolicyError {
  constructor(
    readonly url: string,
    readonly code: number,
    readonly reason: string,
    readonly operation?: string,
  ) {
    super(describeClose(url, code, reason, operation));
  }
}

// What each close code means for a user, per RFC 6455 §7.4.1 and what policy servers actually send.
function describeClose(url: string, code: number, reason: string, operation: string | undefined): string {
  const during = operation ? ` before replying to ${operation}` : '';
  const then = 'the next request opens a new connection';
  if (code === 1006) {
    return (
      `the policy server at ${url} dropped the connection without a close frame (1006)${during}; the server process ` +
      `may have crashed or been killed, or a proxy or SSH tunnel cut the connection (check the server's log); ${then}`
    );
  }
  const names: Readonly<Record<number, string>> = {
    1000: 'normal closure',
    1001: 'going away',
    1002: 'protocol error',
    1003: 'unsupported data',
    1007: 'invalid data',
    1008: 'policy violation',
    1009: 'message too big',
    1011: 'internal error',
    1012: 'service restart',
    1013: 'try again later',
  };
  const advice: Readonly<Record<number, string>> = {
    1001: 'the server is shutting down or restarting',
    1009: "the observation is larger than the server accepts; raise its message size limit (openpi's is unlimited) or send smaller images",
    1011: "the server's handler failed; its log has the cause",
  };
  const label = `${code}${names[code] ? ` ${names[code]}` : ''}${reason ? `: ${reason}` : ''}`;
  return `the policy server at ${url} closed the connection (${label})${during}; ${advice[code] ? `${advice[code]}; ` : ''}${then}`;
}

/**
 * Close 1011 (internal error) under a request without a traceback frame first: the server failed, which is a
 * PolicyServerError (like a traceback) and not a network problem. Other errors are returned unchanged.
 */
export function serverFailureFromClose(err: unknown, url: string): unknown {
  if (!(err instanceof PolicyClosedError) || err.code !== 1011) return err;
  const op = err.operation ? `${err.operation}: ` : '';
  return new PolicyServerError(
    url,
    '',
    `${op}it closed the connection with 1011 (internal error${err.reason ? `: ${err.reason}` : ''}) ` +
      "without sending a traceback; the server's log has the cause. The next request opens a new connection",
    { cause: err },
  );
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
