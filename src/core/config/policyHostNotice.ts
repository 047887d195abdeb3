// Remote policy hosts are allowed but never silent: observations (camera images, joint states, the task) go to
// whatever machine a model's URL names, so the CLI and the extension say so when that is not this machine.
import type { ModelConfig } from './configTypes';

/** True for this machine: localhost, 127.0.0.0/8, ::1 (brackets allowed). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The host of a ws:// / wss:// URL, or undefined when it has none. */
export function urlHost(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** A sentence for a model that talks to (or listens for) another machine; undefined for this machine only. */
export function remotePolicyNotice(name: string, model: ModelConfig): string | undefined {
  if (model.kind === 'remote') {
    const host = urlHost(model.url);
    if (host === undefined || isLoopbackHost(host)) return undefined;
    return (
      `model "${name}" runs on another machine, ${host} (${model.url}): observations — camera images, joint states, the task — are sent there` +
      `${model.url.startsWith('wss://') ? '' : ' unencrypted (ws://)'}.`
    );
  }
  if (model.kind === 'command' && !isLoopbackHost(model.host)) {
    return `model "${name}"'s server is reached at ${model.host}, not 127.0.0.1: if it binds there, other machines on your network can use it.`;
  }
  return undefined;
}
