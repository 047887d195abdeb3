// IEEE 754 binary16 conversions: numpy '<f2' arrives as raw halves and JS (Node 20) has no Float16Array.

/** Decodes one IEEE half (as its 16-bit pattern) to a number, including subnormals, ±Infinity and NaN. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Encodes a number as an IEEE half bit pattern, rounding to nearest, ties to even (as numpy's astype). */
export function numberToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a >= 65520) return sign | 0x7c00; // 65520 is the tie between 65504 and 2^16: it rounds to Infinity
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal (a carry to 0x400 is the smallest normal)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; // log2 can be off by one near powers of two
  if (2 ** (e + 1) <= a) e++;
  let m = roundHalfEven((a / 2 ** e - 1) * 1024); // scaling by powers of two is exact in doubles
  if (m === 1024) {
    m = 0;
    e++;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}
