// Finds the text of a setting in the parse tree, so checks made on the resolved config can point at what was written.
import type { PathSegment } from './configProblem';
import type { PropertyNode, ValueNode } from './jsoncParser';

export interface Span {
  readonly offset: number;
  readonly length: number;
}

/** What the text holds at a path: the deepest node reached and, if the whole path exists, its value and key. */
export interface TreeLocation {
  readonly found: boolean;
  /** The value at the path, or the deepest ancestor written in the text. */
  readonly node: ValueNode;
  /** The key of `node` in its object, if it has one. */
  readonly key?: PropertyNode;
}

/** Walks `path` through the tree (the last of duplicate keys, as in JSON.parse). */
export function locate(root: ValueNode, path: readonly PathSegment[]): TreeLocation {
  let node = root;
  let key: PropertyNode | undefined;
  for (const segment of path) {
    let next: ValueNode | undefined;
    let nextKey: PropertyNode | undefined;
    if (typeof segment === 'number' && node.type === 'array') next = node.items[segment];
    else if (typeof segment === 'string' && node.type === 'object') {
      for (const p of node.properties)
        if (p.key === segment) {
          next = p.value;
          nextKey = p;
        }
    }
    if (!next) return { found: false, node, key };
    node = next;
    key = nextKey;
  }
  return { found: true, node, key };
}

/** The span of the value at `path`, or else of the nearest written ancestor's key (or the root's `{`). */
export function valueSpan(root: ValueNode, path: readonly PathSegment[]): Span {
  const at = locate(root, path);
  if (at.found) return at.node;
  return at.key ? { offset: at.key.keyOffset, length: at.key.keyLength } : { offset: at.node.offset, length: 1 };
}

/** The span of the key at `path`, or else as valueSpan. */
export function keySpan(root: ValueNode, path: readonly PathSegment[]): Span {
  const at = locate(root, path);
  if (at.found && at.key) return { offset: at.key.keyOffset, length: at.key.keyLength };
  return valueSpan(root, path);
}

/** Whether the text sets `path` at all (as opposed to the value coming from a default). */
export function isWritten(root: ValueNode, path: readonly PathSegment[]): boolean {
  return locate(root, path).found;
}
