// Where a source image lands inside a resized-with-pad policy image, following openpi's `resize_with_pad`:
// scale by 1 / max(srcW / outW, srcH / outH), truncate the new size, centre it (extra pad pixel at the end).

/** Placement of the resized source inside the padded output image, in output pixels. */
export interface ResizeWithPadGeometry {
  readonly resizedWidth: number;
  readonly resizedHeight: number;
  readonly padLeft: number;
  readonly padTop: number;
}

/** Geometry of resizing a srcWidth × srcHeight image with padding into outWidth × outHeight. */
export function resizeWithPadGeometry(srcWidth: number, srcHeight: number, outWidth: number, outHeight: number): ResizeWithPadGeometry {
  const ratio = Math.max(srcWidth / outWidth, srcHeight / outHeight);
  const resizedWidth = Math.trunc(srcWidth / ratio);
  const resizedHeight = Math.trunc(srcHeight / ratio);
  return {
    resizedWidth,
    resizedHeight,
    padLeft: Math.floor((outWidth - resizedWidth) / 2),
    padTop: Math.floor((outHeight - resizedHeight) / 2),
  };
}

/** Maps a point of the padded output image (continuous pixel coordinates) back to the source image. */
export function outputToSourcePixel(
  u: number, v: number, srcWidth: number, srcHeight: number, outWidth: number, outHeight: number,
): { readonly u: number; readonly v: number } {
  const g = resizeWithPadGeometry(srcWidth, srcHeight, outWidth, outHeight);
  return { u: ((u - g.padLeft) * srcWidth) / g.resizedWidth, v: ((v - g.padTop) * srcHeight) / g.resizedHeight };
}
