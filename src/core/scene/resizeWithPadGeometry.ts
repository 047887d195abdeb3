// Maps pixels of a resized-with-pad policy image back to the camera frame it came from (the geometry itself is
// the converter's, so the demo policy and the converter can never disagree about it).
import { padGeometry } from '../convert/imageOps';

/** Maps a point of the padded output image (continuous pixel coordinates) back to the source image. */
export function outputToSourcePixel(
  u: number,
  v: number,
  srcWidth: number,
  srcHeight: number,
  outWidth: number,
  outHeight: number,
): { readonly u: number; readonly v: number } {
  const g = padGeometry(srcWidth, srcHeight, outWidth, outHeight);
  return { u: ((u - g.left) * srcWidth) / g.resizedWidth, v: ((v - g.top) * srcHeight) / g.resizedHeight };
}
