;; Pillow-exact BILINEAR resampling passes for RGB u8 images, in WebAssembly SIMD (hand-written).
;;
;; scripts/build-wasm.mjs compiles this file into bilinearKernels.wasm.ts (checked in); bilinearWasmPasses.ts owns
;; the memory layout and writes the tap tables described below from bilinearAxisTaps. The bytes must equal
;; bilinearResample.ts's JS passes, which stay the reference (test/unit/bilinearWasmPasses.test.ts compares them).
;;
;; Arithmetic. Pillow sums pixel × weight (int32 weights with 22 fractional bits) in int32, starting at 1 << 21,
;; and clips acc >> 22 to 0..255. i32x4.dot_i16x8_s multiplies pairs of i16 lanes and adds each pair into an i32
;; lane, so every weight w is split as w = hi·2^11 + lo with lo = w & 2047 and hi = w >> 11 (both fit i16 while
;; -2^26 ≤ w < 2^26; Pillow's are 0..2^22), and a pair of taps costs two dot products. (hiSum << 11) + loSum +
;; (1 << 21) is then Pillow's accumulator modulo 2^32, which is all that int32 arithmetic (JS's `| 0` included)
;; keeps. Clipping: acc >> 22 (arithmetic) narrowed with saturation i32 → i16 → u8 is 255 for acc ≥ 2^30, 0 for
;; acc ≤ 0 and acc >> 22 otherwise: Pillow's clip8.
;;
;; Memory is imported; every region the passes read carries padding the caller owns, so loads that run past a
;; row's last tap (16-byte loads, zero-weight taps) stay inside it, and a weight of 0 makes what they read irrelevant.
(module
  (import "env" "memory" (memory 1))

  ;; Horizontal pass: `rows` rows of RGB pixels at `src` (`srcStride` bytes apart) → `outSize` pixels per row at
  ;; `dst` (`dstStride` bytes apart; each row needs one spare byte after its last pixel).
  ;; Rows go in bands of 32, and a band pixel by pixel (all its rows for one output pixel, then the next), so that a
  ;; pixel's weight vectors stay in registers while the band's source rows stay in L1.
  ;; `taps` holds one record per output pixel:
  ;;   +0  i32  byte offset of the pixel's first tap within a source row (first input pixel × 3)
  ;;   +4  i32  number of tap pairs, at least 3 (fewer are padded with zero weights)
  ;;   +16 per pair (taps a, b): i16x8 low weight parts [a, b, a, b, a, b, 0, 0], then i16x8 high parts
  (func (export "horizontalPass")
      (param $src i32) (param $srcStride i32) (param $rows i32) (param $taps i32) (param $outSize i32)
      (param $dst i32) (param $dstStride i32)
    (local $n i32) (local $t i32) (local $i i32) (local $pairs i32) (local $p i32) (local $o i32)
    (loop $bands
      (local.set $n (select (i32.const 32) (local.get $rows) (i32.gt_u (local.get $rows) (i32.const 32))))
      (local.set $t (local.get $taps))
      (local.set $i (i32.const 0))
      (loop $pixels
        (local.set $p (i32.add (local.get $src) (i32.load (local.get $t))))
        (local.set $pairs (i32.load offset=4 (local.get $t)))
        (local.set $o (i32.add (local.get $dst) (i32.mul (local.get $i) (i32.const 3))))
        (if (i32.eq (local.get $pairs) (i32.const 3))
          (then
            (call $threePairRows (local.get $p) (local.get $o) (local.get $n) (local.get $srcStride) (local.get $dstStride)
              (v128.load offset=16 (local.get $t)) (v128.load offset=32 (local.get $t))
              (v128.load offset=48 (local.get $t)) (v128.load offset=64 (local.get $t))
              (v128.load offset=80 (local.get $t)) (v128.load offset=96 (local.get $t))))
          (else
            (call $anyPairRows (local.get $p) (local.get $o) (local.get $n) (local.get $srcStride) (local.get $dstStride)
              (i32.add (local.get $t) (i32.const 16)) (local.get $pairs))))
        (local.set $t (i32.add (local.get $t) (i32.add (i32.const 16) (i32.shl (local.get $pairs) (i32.const 5)))))
        (br_if $pixels (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $outSize))))
      (local.set $src (i32.add (local.get $src) (i32.mul (local.get $n) (local.get $srcStride))))
      (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $n) (local.get $dstStride))))
      (br_if $bands (local.tee $rows (i32.sub (local.get $rows) (local.get $n))))))

  ;; One output pixel (the pixel of three tap pairs at `p`) for `rows` rows, the weights in registers.
  (func $threePairRows
      (param $p i32) (param $o i32) (param $rows i32) (param $srcStride i32) (param $dstStride i32)
      (param $lo0 v128) (param $hi0 v128) (param $lo1 v128) (param $hi1 v128) (param $lo2 v128) (param $hi2 v128)
    (local $lanes v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $lo v128) (local $hi v128)
    ;; [R_a, R_b, G_a, G_b, B_a, B_b, 0, 0] as i16 from the bytes R_a G_a B_a R_b G_b B_b of two adjacent pixels
    ;; (swizzle indices ≥ 16 give 0)
    (local.set $lanes (v128.const i8x16 0 128 3 128 1 128 4 128 2 128 5 128 128 128 128 128))
    (loop $row
      (local.set $x0 (i8x16.swizzle (v128.load (local.get $p)) (local.get $lanes)))
      (local.set $x1 (i8x16.swizzle (v128.load offset=6 (local.get $p)) (local.get $lanes)))
      (local.set $x2 (i8x16.swizzle (v128.load offset=12 (local.get $p)) (local.get $lanes)))
      (local.set $lo (i32x4.add
        (i32x4.add (i32x4.dot_i16x8_s (local.get $x0) (local.get $lo0)) (i32x4.dot_i16x8_s (local.get $x1) (local.get $lo1)))
        (i32x4.dot_i16x8_s (local.get $x2) (local.get $lo2))))
      (local.set $hi (i32x4.add
        (i32x4.add (i32x4.dot_i16x8_s (local.get $x0) (local.get $hi0)) (i32x4.dot_i16x8_s (local.get $x1) (local.get $hi1)))
        (i32x4.dot_i16x8_s (local.get $x2) (local.get $hi2))))
      ;; Round, clip, store (R, G, B, 0): the fourth byte lands on the next pixel, written later, or on the row's
      ;; spare byte.
      (local.set $lo (i32x4.shr_s
        (i32x4.add (i32x4.add (i32x4.shl (local.get $hi) (i32.const 11)) (local.get $lo))
          (v128.const i32x4 0x200000 0x200000 0x200000 0x200000))
        (i32.const 22)))
      (local.set $lo (i16x8.narrow_i32x4_s (local.get $lo) (local.get $lo)))
      (v128.store32_lane 0 (local.get $o) (i8x16.narrow_i16x8_u (local.get $lo) (local.get $lo)))
      (local.set $p (i32.add (local.get $p) (local.get $srcStride)))
      (local.set $o (i32.add (local.get $o) (local.get $dstStride)))
      (br_if $row (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; One output pixel of any number of tap pairs (weights at `w`) for `rows` rows; the slow path of wide downscales.
  (func $anyPairRows
      (param $p i32) (param $o i32) (param $rows i32) (param $srcStride i32) (param $dstStride i32)
      (param $w i32) (param $pairs i32)
    (local $lanes v128) (local $x v128) (local $lo v128) (local $hi v128) (local $q i32) (local $v i32) (local $k i32)
    (local.set $lanes (v128.const i8x16 0 128 3 128 1 128 4 128 2 128 5 128 128 128 128 128))
    (loop $row
      (local.set $lo (v128.const i64x2 0 0))
      (local.set $hi (v128.const i64x2 0 0))
      (local.set $q (local.get $p))
      (local.set $v (local.get $w))
      (local.set $k (local.get $pairs))
      (loop $pair
        (local.set $x (i8x16.swizzle (v128.load (local.get $q)) (local.get $lanes)))
        (local.set $lo (i32x4.add (local.get $lo) (i32x4.dot_i16x8_s (local.get $x) (v128.load (local.get $v)))))
        (local.set $hi (i32x4.add (local.get $hi) (i32x4.dot_i16x8_s (local.get $x) (v128.load offset=16 (local.get $v)))))
        (local.set $q (i32.add (local.get $q) (i32.const 6)))
        (local.set $v (i32.add (local.get $v) (i32.const 32)))
        (br_if $pair (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      ;; Round, clip, store (R, G, B, 0): the fourth byte lands on the next pixel, written later, or on the row's
      ;; spare byte.
      (local.set $lo (i32x4.shr_s
        (i32x4.add (i32x4.add (i32x4.shl (local.get $hi) (i32.const 11)) (local.get $lo))
          (v128.const i32x4 0x200000 0x200000 0x200000 0x200000))
        (i32.const 22)))
      (local.set $lo (i16x8.narrow_i32x4_s (local.get $lo) (local.get $lo)))
      (v128.store32_lane 0 (local.get $o) (i8x16.narrow_i16x8_u (local.get $lo) (local.get $lo)))
      (local.set $p (i32.add (local.get $p) (local.get $srcStride)))
      (local.set $o (i32.add (local.get $o) (local.get $dstStride)))
      (br_if $row (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))

  ;; Vertical pass: `outRows` rows of `rowBytes` bytes at `dst` (`dstStride` apart), each a weighted sum of source
  ;; rows `srcStride` bytes apart, 16 bytes at a time. The last 16 bytes of a row may run past `rowBytes`: they
  ;; read padding or the next source row and write the next output row (rewritten after) or padding.
  ;; `taps` holds one record per output row:
  ;;   +0  i32  address of the first tap row
  ;;   +4  i32  number of tap pairs (rows a and a + 1; an odd last tap pairs with the next row at weight 0)
  ;;   +16 per pair: i16x8 low weight parts [a, b, a, b, a, b, a, b], then i16x8 high parts
  (func (export "verticalPass")
      (param $srcStride i32) (param $rowBytes i32) (param $taps i32) (param $outRows i32)
      (param $dst i32) (param $dstStride i32)
    (local $first i32) (local $pairs i32) (local $col i32) (local $p i32) (local $w i32) (local $k i32)
    (local $lo0 v128) (local $lo1 v128) (local $lo2 v128) (local $lo3 v128)
    (local $hi0 v128) (local $hi1 v128) (local $hi2 v128) (local $hi3 v128)
    (local $a v128) (local $b v128) (local $x v128) (local $wlo v128) (local $whi v128)
    (loop $rows
      (local.set $first (i32.load (local.get $taps)))
      (local.set $pairs (i32.load offset=4 (local.get $taps)))
      (local.set $col (i32.const 0))
      (loop $columns
        (local.set $lo0 (v128.const i32x4 0x200000 0x200000 0x200000 0x200000))
        (local.set $lo1 (v128.const i32x4 0x200000 0x200000 0x200000 0x200000))
        (local.set $lo2 (v128.const i32x4 0x200000 0x200000 0x200000 0x200000))
        (local.set $lo3 (v128.const i32x4 0x200000 0x200000 0x200000 0x200000))
        (local.set $hi0 (v128.const i64x2 0 0))
        (local.set $hi1 (v128.const i64x2 0 0))
        (local.set $hi2 (v128.const i64x2 0 0))
        (local.set $hi3 (v128.const i64x2 0 0))
        (local.set $p (i32.add (local.get $first) (local.get $col)))
        (local.set $w (i32.add (local.get $taps) (i32.const 16)))
        (local.set $k (local.get $pairs))
        (loop $pair
          ;; 16 bytes of rows a and b, interleaved and widened: [a0, b0, a1, b1, …] as i16, 4 columns a vector.
          (local.set $a (v128.load (local.get $p)))
          (local.set $b (v128.load (i32.add (local.get $p) (local.get $srcStride))))
          (local.set $wlo (v128.load (local.get $w)))
          (local.set $whi (v128.load offset=16 (local.get $w)))
          (local.set $x (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $a) (local.get $b)))
          (local.set $a (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $a) (local.get $b)))
          (local.set $b (i16x8.extend_low_i8x16_u (local.get $x)))
          (local.set $lo0 (i32x4.add (local.get $lo0) (i32x4.dot_i16x8_s (local.get $b) (local.get $wlo))))
          (local.set $hi0 (i32x4.add (local.get $hi0) (i32x4.dot_i16x8_s (local.get $b) (local.get $whi))))
          (local.set $b (i16x8.extend_high_i8x16_u (local.get $x)))
          (local.set $lo1 (i32x4.add (local.get $lo1) (i32x4.dot_i16x8_s (local.get $b) (local.get $wlo))))
          (local.set $hi1 (i32x4.add (local.get $hi1) (i32x4.dot_i16x8_s (local.get $b) (local.get $whi))))
          (local.set $b (i16x8.extend_low_i8x16_u (local.get $a)))
          (local.set $lo2 (i32x4.add (local.get $lo2) (i32x4.dot_i16x8_s (local.get $b) (local.get $wlo))))
          (local.set $hi2 (i32x4.add (local.get $hi2) (i32x4.dot_i16x8_s (local.get $b) (local.get $whi))))
          (local.set $b (i16x8.extend_high_i8x16_u (local.get $a)))
          (local.set $lo3 (i32x4.add (local.get $lo3) (i32x4.dot_i16x8_s (local.get $b) (local.get $wlo))))
          (local.set $hi3 (i32x4.add (local.get $hi3) (i32x4.dot_i16x8_s (local.get $b) (local.get $whi))))
          (local.set $p (i32.add (local.get $p) (i32.shl (local.get $srcStride) (i32.const 1))))
          (local.set $w (i32.add (local.get $w) (i32.const 32)))
          (br_if $pair (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
        (v128.store (i32.add (local.get $dst) (local.get $col))
          (i8x16.narrow_i16x8_u
            (i16x8.narrow_i32x4_s
              (i32x4.shr_s (i32x4.add (i32x4.shl (local.get $hi0) (i32.const 11)) (local.get $lo0)) (i32.const 22))
              (i32x4.shr_s (i32x4.add (i32x4.shl (local.get $hi1) (i32.const 11)) (local.get $lo1)) (i32.const 22)))
            (i16x8.narrow_i32x4_s
              (i32x4.shr_s (i32x4.add (i32x4.shl (local.get $hi2) (i32.const 11)) (local.get $lo2)) (i32.const 22))
              (i32x4.shr_s (i32x4.add (i32x4.shl (local.get $hi3) (i32.const 11)) (local.get $lo3)) (i32.const 22)))))
        (br_if $columns (i32.lt_u (local.tee $col (i32.add (local.get $col) (i32.const 16))) (local.get $rowBytes))))
      (local.set $taps (i32.add (local.get $taps) (i32.add (i32.const 16) (i32.shl (local.get $pairs) (i32.const 5)))))
      (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
      (br_if $rows (local.tee $outRows (i32.sub (local.get $outRows) (i32.const 1))))))
)
