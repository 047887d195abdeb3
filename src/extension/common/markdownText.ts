// Text that goes into a Markdown tooltip as itself, not as formatting.

/** Escapes Markdown's special characters (a reason may contain `*`, `_`, brackets …). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
