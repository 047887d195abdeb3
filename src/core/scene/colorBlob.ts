// Finds the demo cube in an RGB image by its colour: a saturated red that nothing else in the scene uses.

/** Pixels of one colour class in an image: how many, their centroid (pixel centres at .5) and bounding box. */
export interface ColorBlob {
  readonly pixels: number;
  readonly u: number;
  readonly v: number;
  readonly minU: number;
  readonly maxU: number;
  readonly minV: number;
  readonly maxV: number;
}

/** Whether a colour is the cube's red, under any of the renderer's shading levels. */
export function isCubeRed(r: number, g: number, b: number): boolean {
  return r >= 70 && r > 2 * g + 20 && r > 2 * b + 20;
}

/**
 * The centroid of the cube-red pixels of an H × W × 3 (HWC, uint8) image, or null when fewer than `minPixels`
 * match (no cube in view, or the wrong image).
 */
export function findCubeBlob(image: Uint8Array, width: number, height: number, minPixels = 4): ColorBlob | null {
  let count = 0;
  let su = 0;
  let sv = 0;
  let minU = width;
  let maxU = -1;
  let minV = height;
  let maxV = -1;
  const n = Math.min(width * height, Math.floor(image.length / 3));
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    if (!isCubeRed(image[o], image[o + 1], image[o + 2])) continue;
    const x = i % width;
    const y = (i - x) / width;
    count++;
    su += x;
    sv += y;
    if (x < minU) minU = x;
    if (x > maxU) maxU = x;
    if (y < minV) minV = y;
    if (y > maxV) maxV = y;
  }
  if (count < minPixels) return null;
  return { pixels: count, u: su / count + 0.5, v: sv / count + 0.5, minU, maxU, minV, maxV };
}
