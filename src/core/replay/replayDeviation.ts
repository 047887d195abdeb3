// A replayed chunk's deviation, as replay computes it and its file and the viewer carry it. No converter import
// here: the viewer's page bundles it.

/** Mean and largest absolute difference of one joint, in the joint's own units (° or %). */
export interface JointDeviation {
  readonly mean: number;
  readonly max: number;
}

export interface ChunkDeviation {
  /** Rows compared. */
  readonly rows: number;
  /** Per joint (keyed by motor name); null when no row could be compared. */
  readonly perJoint: Readonly<Record<string, JointDeviation | null>>;
}
