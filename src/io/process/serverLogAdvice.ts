// Known error lines of inference servers, each turned into one sentence a user can act on.
import { errnoCode } from './processGroup';

/** What the advice may mention besides the line itself. */
export interface AdviceContext {
  readonly port?: number;
  readonly command?: string;
}

export interface AdviceRule {
  /** Stable name, for tests and telemetry. */
  readonly id: string;
  /** Returns a match (truthy) when the line is this kind of error. */
  readonly match: (line: string) => RegExpMatchArray | null;
  readonly advice: (match: RegExpMatchArray, context: AdviceContext) => string;
}

const downloadHost = /gs:\/\/|storage\.googleapis\.com|huggingface\.co|hf\.co\//i;
const failureWord = /error|fail|unable|could ?n[o']t|cannot|timed? ?out|refused|unreachable|offline/i;

/** First rule that matches wins, so the more specific rules come first. */
export const SERVER_LOG_ADVICE: readonly AdviceRule[] = [
  {
    id: 'port-in-use',
    match: (line) => line.match(/address already in use|\[Errno (?:98|48)\]|EADDRINUSE|WinError 10048/i),
    advice: (m, ctx) => {
      const port = portIn(m.input ?? '') ?? ctx.port;
      const which = port === undefined ? 'the port' : `port ${port}`;
      return `${capitalise(which)} is taken: stop the other server or change the port.`;
    },
  },
  {
    id: 'gpu-out-of-memory',
    match: (line) =>
      line.match(
        /CUDA out of memory|CUDA_ERROR_OUT_OF_MEMORY|RESOURCE_EXHAUSTED:? Out of memory|torch\.OutOfMemoryError/i,
      ),
    advice: () =>
      'The GPU ran out of memory: stop other programs using it (nvidia-smi lists them), use a smaller model ' +
      '(e.g. π₀-FAST) or another GPU.',
  },
  {
    id: 'python-module-missing',
    match: (line) => line.match(/No module named '((openpi|lerobot)[\w.]*)'/),
    advice: (m) =>
      `Python cannot find '${m[1]}': run the server from the ${m[2]} checkout with \`uv run …\` ` +
      '(or activate the environment it was installed into).',
  },
  {
    id: 'dns-failure',
    match: (line) =>
      line.match(
        /Could not resolve host|Temporary failure in name resolution|Name or service not known|nodename nor servname|getaddrinfo (?:failed|ENOTFOUND)|Failed to resolve/i,
      ),
    advice: () => offlineAdvice,
  },
  {
    id: 'checkpoint-download-failed',
    match: (line) => (downloadHost.test(line) && failureWord.test(line) ? line.match(downloadHost) : null),
    advice: () => offlineAdvice,
  },
  {
    id: 'killed',
    match: (line) => line.match(/^\s*(?:\S+: line \d+:\s*\d+\s+)?Killed\b/),
    advice: () =>
      'The operating system killed the server, most likely because the machine ran out of memory: close ' +
      'other programs or use a smaller model.',
  },
  {
    id: 'jax-cpu-only',
    match: (line) => line.match(/No GPU\/TPU found|falling back to cpu/i),
    advice: () =>
      'JAX found no GPU: the server runs on the CPU and inference will be very slow. Install JAX with CUDA ' +
      'support or use a machine with a GPU.',
  },
];

const offlineAdvice =
  'The server could not download its checkpoint (this machine looks offline): download it once on a ' +
  'connected machine and point the server at the local checkpoint directory.';

/** The first rule matching `line` and its advice, or undefined when the line is not a known error. */
export function matchAdvice(line: string, context: AdviceContext = {}): { id: string; advice: string } | undefined {
  for (const rule of SERVER_LOG_ADVICE) {
    const m = rule.match(line);
    if (m) return { id: rule.id, advice: rule.advice(m, context) };
  }
  return undefined;
}

/** Advice for one line of server output, or undefined when the line is not a known error. */
export function adviceForLine(line: string, context: AdviceContext = {}): string | undefined {
  return matchAdvice(line, context)?.advice;
}

/** Advice for an error raised by `spawn` itself, before the server printed anything. */
export function adviceForSpawnError(err: unknown, command: string): string {
  switch (errnoCode(err)) {
    case 'ENOENT':
      return `Command "${command}" was not found on PATH (or the working directory does not exist): install it, or give its full path.`;
    case 'EACCES':
      return `Command "${command}" is not executable: check its permissions (chmod +x).`;
    default:
      return `Could not run "${command}": ${err instanceof Error ? err.message : String(err)}.`;
  }
}

/** The port named in a bind error like "('0.0.0.0', 8000)" or "127.0.0.1:8000". */
function portIn(line: string): number | undefined {
  const m = [...line.matchAll(/(?:[:,]\s*|port\s+)(\d{2,5})\b/gi)].pop();
  if (!m) return undefined;
  const n = Number(m[1]);
  // Below 1024 it is more likely a timestamp's milliseconds than a server port.
  return n >= 1024 && n < 65536 ? n : undefined;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
