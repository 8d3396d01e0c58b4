;; The lab's own WebAssembly SIMD kernels (128-bit), run on tfjs-backend-wasm's heap: the module
;; imports the backend's memory, and its functions take byte offsets of tensors on it.
;; Assembled by scripts/build-simd-kernels.mjs into lab-simd.generated.ts (committed; a unit test
;; checks that the two agree). Why and how fast: docs/wasm-training.md, section 7.
(module
  (import "env" "memory" (memory 1))

  ;; Filter gradient of a 2-D convolution, NHWC, any kernel size, stride and padding (dilation 1):
  ;;   out[kh,kw,ci,co] = sum over n,h,w of x[n, h*sh + kh - pt, w*sw + kw - pl, ci] * dy[n,h,w,co]
  ;; (terms whose input pixel falls in the padding are zero). x [N,H,W,Ci], dy [N,Ho,Wo,Co],
  ;; out [KH,KW,Ci,Co] zeroed by the caller; Ci % 4 == 0, Co % 8 == 0.
  ;; Image by image (one image's x and dy stay in L2 across all tiles), a tile of 4 input x 8 output
  ;; channels in 8 registers, each output row's valid pixels in one run.
  (func (export "convFilterGrad")
    (param $x i32) (param $dy i32) (param $out i32)
    (param $N i32) (param $H i32) (param $W i32) (param $Ci i32)
    (param $Ho i32) (param $Wo i32) (param $Co i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (local $n i32) (local $kh i32) (local $kw i32) (local $ci0 i32) (local $co0 i32)
    (local $h i32) (local $h0 i32) (local $h1 i32) (local $w i32) (local $w0 i32) (local $w1 i32) (local $t i32)
    (local $xp i32) (local $dp i32) (local $op i32) (local $xs i32) (local $ds i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $d0 v128) (local $d1 v128) (local $s v128)
    ;; x advances sw pixels per output pixel; dy one pixel
    (local.set $xs (i32.shl (i32.mul (local.get $Ci) (local.get $sw)) (i32.const 2)))
    (local.set $ds (i32.shl (local.get $Co) (i32.const 2)))
    (block $nDone (loop $nLoop
      (br_if $nDone (i32.ge_u (local.get $n) (local.get $N)))
      (local.set $kh (i32.const 0))
      (block $khDone (loop $khLoop
        (br_if $khDone (i32.ge_u (local.get $kh) (local.get $KH)))
        ;; rows h with 0 <= h*sh + kh - pt < H: h0 = ceil((pt - kh) / sh) if positive, h1 = min(Ho, floor((H - 1 + pt - kh) / sh) + 1)
        (local.set $t (i32.sub (local.get $pt) (local.get $kh)))
        (local.set $h0 (select (i32.div_s (i32.add (local.get $t) (i32.sub (local.get $sh) (i32.const 1))) (local.get $sh)) (i32.const 0) (i32.gt_s (local.get $t) (i32.const 0))))
        (local.set $t (i32.add (i32.sub (local.get $H) (i32.const 1)) (i32.sub (local.get $pt) (local.get $kh))))
        (local.set $h1 (select (i32.add (i32.div_s (local.get $t) (local.get $sh)) (i32.const 1)) (i32.const 0) (i32.ge_s (local.get $t) (i32.const 0))))
        (local.set $h1 (select (local.get $Ho) (local.get $h1) (i32.gt_s (local.get $h1) (local.get $Ho))))
        (local.set $kw (i32.const 0))
        (block $kwDone (loop $kwLoop
          (br_if $kwDone (i32.ge_u (local.get $kw) (local.get $KW)))
          (local.set $t (i32.sub (local.get $pl) (local.get $kw)))
          (local.set $w0 (select (i32.div_s (i32.add (local.get $t) (i32.sub (local.get $sw) (i32.const 1))) (local.get $sw)) (i32.const 0) (i32.gt_s (local.get $t) (i32.const 0))))
          (local.set $t (i32.add (i32.sub (local.get $W) (i32.const 1)) (i32.sub (local.get $pl) (local.get $kw))))
          (local.set $w1 (select (i32.add (i32.div_s (local.get $t) (local.get $sw)) (i32.const 1)) (i32.const 0) (i32.ge_s (local.get $t) (i32.const 0))))
          (local.set $w1 (select (local.get $Wo) (local.get $w1) (i32.gt_s (local.get $w1) (local.get $Wo))))
          (local.set $ci0 (i32.const 0))
          (block $ciDone (loop $ciLoop
            (br_if $ciDone (i32.ge_u (local.get $ci0) (local.get $Ci)))
            (local.set $co0 (i32.const 0))
            (block $coDone (loop $coLoop
              (br_if $coDone (i32.ge_u (local.get $co0) (local.get $Co)))
              ;; the out tile: rows ci0..ci0+3 of kernel tap (kh, kw), columns co0..co0+7
              (local.set $op (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $Ci)) (local.get $ci0)) (local.get $Co)) (local.get $co0)) (i32.const 2))))
              (local.set $a0 (v128.load offset=0 (local.get $op)))
              (local.set $a1 (v128.load offset=16 (local.get $op)))
              (local.set $a2 (v128.load offset=0 (i32.add (local.get $op) (local.get $ds))))
              (local.set $a3 (v128.load offset=16 (i32.add (local.get $op) (local.get $ds))))
              (local.set $a4 (v128.load offset=0 (i32.add (local.get $op) (i32.shl (local.get $ds) (i32.const 1)))))
              (local.set $a5 (v128.load offset=16 (i32.add (local.get $op) (i32.shl (local.get $ds) (i32.const 1)))))
              (local.set $a6 (v128.load offset=0 (i32.add (local.get $op) (i32.mul (local.get $ds) (i32.const 3)))))
              (local.set $a7 (v128.load offset=16 (i32.add (local.get $op) (i32.mul (local.get $ds) (i32.const 3)))))
              (local.set $h (local.get $h0))
              (block $hDone (loop $hLoop
                (br_if $hDone (i32.ge_s (local.get $h) (local.get $h1)))
                ;; xp = x + (((n*H + h*sh + kh - pt)*W + w0*sw + kw - pl)*Ci + ci0)*4 ; dp = dy + (((n*Ho + h)*Wo + w0)*Co + co0)*4
                (local.set $xp (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.add (i32.mul
                  (i32.add (i32.mul (local.get $n) (local.get $H)) (i32.sub (i32.add (i32.mul (local.get $h) (local.get $sh)) (local.get $kh)) (local.get $pt)))
                  (local.get $W)) (i32.sub (i32.add (i32.mul (local.get $w0) (local.get $sw)) (local.get $kw)) (local.get $pl))) (local.get $Ci)) (local.get $ci0)) (i32.const 2))))
                (local.set $dp (i32.add (local.get $dy) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $Ho)) (local.get $h)) (local.get $Wo)) (local.get $w0)) (local.get $Co)) (local.get $co0)) (i32.const 2))))
                (local.set $w (local.get $w0))
                (block $wDone (loop $wLoop
                  (br_if $wDone (i32.ge_s (local.get $w) (local.get $w1)))
                  (local.set $d0 (v128.load offset=0 (local.get $dp)))
                  (local.set $d1 (v128.load offset=16 (local.get $dp)))
                  (local.set $s (v128.load32_splat offset=0 (local.get $xp)))
                  (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s) (local.get $d0))))
                  (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s) (local.get $d1))))
                  (local.set $s (v128.load32_splat offset=4 (local.get $xp)))
                  (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s) (local.get $d0))))
                  (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s) (local.get $d1))))
                  (local.set $s (v128.load32_splat offset=8 (local.get $xp)))
                  (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s) (local.get $d0))))
                  (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s) (local.get $d1))))
                  (local.set $s (v128.load32_splat offset=12 (local.get $xp)))
                  (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s) (local.get $d0))))
                  (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s) (local.get $d1))))
                  (local.set $xp (i32.add (local.get $xp) (local.get $xs)))
                  (local.set $dp (i32.add (local.get $dp) (local.get $ds)))
                  (local.set $w (i32.add (local.get $w) (i32.const 1)))
                  (br $wLoop)))
                (local.set $h (i32.add (local.get $h) (i32.const 1)))
                (br $hLoop)))
              (v128.store offset=0 (local.get $op) (local.get $a0))
              (v128.store offset=16 (local.get $op) (local.get $a1))
              (v128.store offset=0 (i32.add (local.get $op) (local.get $ds)) (local.get $a2))
              (v128.store offset=16 (i32.add (local.get $op) (local.get $ds)) (local.get $a3))
              (v128.store offset=0 (i32.add (local.get $op) (i32.shl (local.get $ds) (i32.const 1))) (local.get $a4))
              (v128.store offset=16 (i32.add (local.get $op) (i32.shl (local.get $ds) (i32.const 1))) (local.get $a5))
              (v128.store offset=0 (i32.add (local.get $op) (i32.mul (local.get $ds) (i32.const 3))) (local.get $a6))
              (v128.store offset=16 (i32.add (local.get $op) (i32.mul (local.get $ds) (i32.const 3))) (local.get $a7))
              (local.set $co0 (i32.add (local.get $co0) (i32.const 8)))
              (br $coLoop)))
            (local.set $ci0 (i32.add (local.get $ci0) (i32.const 4)))
            (br $ciLoop)))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br $kwLoop)))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br $khLoop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nLoop)))
  )

  ;; Copies x [N,H,W,C] into the middle of xp [N,Hp,Wp,C] (rows pt.., columns pl..) and zeroes the
  ;; rest: the padding of a convolution's input, at memory-copy speed.
  (func (export "padImages")
    (param $x i32) (param $xp i32) (param $N i32) (param $H i32) (param $W i32) (param $C i32)
    (param $Hp i32) (param $Wp i32) (param $pt i32) (param $pl i32)
    (local $row i32) (local $rows i32) (local $n i32) (local $h i32)
    (memory.fill (local.get $xp) (i32.const 0) (i32.shl (i32.mul (i32.mul (i32.mul (local.get $N) (local.get $Hp)) (local.get $Wp)) (local.get $C)) (i32.const 2)))
    (local.set $row (i32.shl (i32.mul (local.get $W) (local.get $C)) (i32.const 2)))
    (local.set $rows (i32.mul (local.get $N) (local.get $H)))
    (block $done (loop $rowLoop
      (br_if $done (i32.ge_u (local.get $h) (local.get $rows)))
      (local.set $n (i32.div_u (local.get $h) (local.get $H)))
      (memory.copy
        (i32.add (local.get $xp) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.add (i32.mul (local.get $n) (local.get $Hp)) (i32.sub (local.get $h) (i32.mul (local.get $n) (local.get $H)))) (local.get $pt)) (local.get $Wp)) (local.get $pl)) (local.get $C)) (i32.const 2)))
        (i32.add (local.get $x) (i32.mul (local.get $h) (local.get $row)))
        (local.get $row))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br $rowLoop)))
  )

  ;; dx = y > 0 ? dy : 0 over n elements (y a ReLU's output: NaN and -0 give 0), 4 lanes at a time.
  (func (export "reluGrad") (param $dy i32) (param $y i32) (param $dx i32) (param $n i32)
    (local $i i32) (local $end i32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vDone (loop $v
      (br_if $vDone (i32.ge_u (local.get $i) (local.get $end)))
      (v128.store (i32.add (local.get $dx) (local.get $i))
        (v128.and
          (v128.load (i32.add (local.get $dy) (local.get $i)))
          (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $i))) (v128.const f32x4 0 0 0 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $v)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sDone (loop $s
      (br_if $sDone (i32.ge_u (local.get $i) (local.get $end)))
      (f32.store (i32.add (local.get $dx) (local.get $i))
        (select (f32.load (i32.add (local.get $dy) (local.get $i))) (f32.const 0)
          (f32.gt (f32.load (i32.add (local.get $y) (local.get $i))) (f32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $s)))
  )

  ;; Per channel, over rows of C (C % 4 == 0): out[r,c] = a[c]*u[r,c] + b[c]*v[r,c] + k[c]
  ;; (BatchNorm's output, u = x, b = 0; its input gradient, u = dy, v = x). With $b = 0 (a null
  ;; pointer) the v term is skipped.
  (func (export "channelAffine")
    (param $u i32) (param $v i32) (param $a i32) (param $b i32) (param $k i32) (param $out i32) (param $rows i32) (param $C i32)
    (local $r i32) (local $c i32) (local $row i32) (local $p i32)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (block $rDone (loop $rLoop
      (br_if $rDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $p (i32.mul (local.get $r) (local.get $row)))
      (local.set $c (i32.const 0))
      (if (i32.eqz (local.get $b))
        (then
          (block $cDone (loop $cLoop
            (br_if $cDone (i32.ge_u (local.get $c) (local.get $row)))
            (v128.store (i32.add (local.get $out) (i32.add (local.get $p) (local.get $c)))
              (f32x4.add
                (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $c))) (v128.load (i32.add (local.get $u) (i32.add (local.get $p) (local.get $c)))))
                (v128.load (i32.add (local.get $k) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $cLoop))))
        (else
          (block $cDone2 (loop $cLoop2
            (br_if $cDone2 (i32.ge_u (local.get $c) (local.get $row)))
            (v128.store (i32.add (local.get $out) (i32.add (local.get $p) (local.get $c)))
              (f32x4.add
                (f32x4.add
                  (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $c))) (v128.load (i32.add (local.get $u) (i32.add (local.get $p) (local.get $c)))))
                  (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $c))) (v128.load (i32.add (local.get $v) (i32.add (local.get $p) (local.get $c))))))
                (v128.load (i32.add (local.get $k) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $cLoop2)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rLoop)))
  )

  ;; Per-channel sums in float64 over rows of C (C % 4 == 0), added to s[c] and q[c] (f64 arrays):
  ;;   v = 0 (null):  s += sum of (u - shift),  q += sum of (u - shift)^2   (BatchNorm's moments)
  ;;   else:          s += sum of u,            q += sum of u * (v - shift)  (its gradient's sums)
  ;; Each float is promoted before the subtraction, so every term is exact as in float64 code.
  ;; Rows in blocks of 16 KB (they stay in L1), four channels at a time in 8 f64x2 registers.
  (func (export "channelSums")
    (param $u i32) (param $v i32) (param $shift i32) (param $s i32) (param $q i32) (param $rows i32) (param $C i32)
    (local $row i32) (local $r0 i32) (local $r1 i32) (local $block i32) (local $c i32) (local $p i32) (local $end i32)
    (local $m0 v128) (local $m1 v128) (local $s0 v128) (local $s1 v128) (local $q0 v128) (local $q1 v128)
    (local $a v128) (local $u0 v128) (local $u1 v128) (local $d0 v128) (local $d1 v128)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (local.set $block (i32.div_u (i32.const 16384) (local.get $row)))
    (if (i32.eqz (local.get $block)) (then (local.set $block (i32.const 1))))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_u (local.get $r0) (local.get $rows)))
      (local.set $r1 (i32.add (local.get $r0) (local.get $block)))
      (if (i32.gt_u (local.get $r1) (local.get $rows)) (then (local.set $r1 (local.get $rows))))
      (local.set $end (i32.mul (local.get $r1) (local.get $row)))
      (local.set $c (i32.const 0))
      (block $cDone (loop $cLoop
        (br_if $cDone (i32.ge_u (local.get $c) (local.get $row)))
        ;; shift of channels c/4 .. c/4+3 as two f64x2 (f64 offset: 2x the f32 one)
        (local.set $m0 (v128.load offset=0 (i32.add (local.get $shift) (i32.shl (local.get $c) (i32.const 1)))))
        (local.set $m1 (v128.load offset=16 (i32.add (local.get $shift) (i32.shl (local.get $c) (i32.const 1)))))
        (local.set $s0 (v128.const i64x2 0 0)) (local.set $s1 (v128.const i64x2 0 0))
        (local.set $q0 (v128.const i64x2 0 0)) (local.set $q1 (v128.const i64x2 0 0))
        (local.set $p (i32.add (i32.mul (local.get $r0) (local.get $row)) (local.get $c)))
        (if (i32.eqz (local.get $v))
          (then
            (block $rDone (loop $rLoop
              (br_if $rDone (i32.ge_u (local.get $p) (local.get $end)))
              (local.set $a (v128.load (i32.add (local.get $u) (local.get $p))))
              (local.set $d0 (f64x2.sub (f64x2.promote_low_f32x4 (local.get $a)) (local.get $m0)))
              (local.set $d1 (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a))) (local.get $m1)))
              (local.set $s0 (f64x2.add (local.get $s0) (local.get $d0)))
              (local.set $s1 (f64x2.add (local.get $s1) (local.get $d1)))
              (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $d0) (local.get $d0))))
              (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $d1) (local.get $d1))))
              (local.set $p (i32.add (local.get $p) (local.get $row)))
              (br $rLoop))))
          (else
            (block $rDone2 (loop $rLoop2
              (br_if $rDone2 (i32.ge_u (local.get $p) (local.get $end)))
              (local.set $a (v128.load (i32.add (local.get $u) (local.get $p))))
              (local.set $u0 (f64x2.promote_low_f32x4 (local.get $a)))
              (local.set $u1 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a))))
              (local.set $a (v128.load (i32.add (local.get $v) (local.get $p))))
              (local.set $d0 (f64x2.sub (f64x2.promote_low_f32x4 (local.get $a)) (local.get $m0)))
              (local.set $d1 (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a))) (local.get $m1)))
              (local.set $s0 (f64x2.add (local.get $s0) (local.get $u0)))
              (local.set $s1 (f64x2.add (local.get $s1) (local.get $u1)))
              (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $u0) (local.get $d0))))
              (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $u1) (local.get $d1))))
              (local.set $p (i32.add (local.get $p) (local.get $row)))
              (br $rLoop2)))))
        ;; add the block's sums to s and q
        (local.set $p (i32.add (local.get $s) (i32.shl (local.get $c) (i32.const 1))))
        (v128.store offset=0 (local.get $p) (f64x2.add (v128.load offset=0 (local.get $p)) (local.get $s0)))
        (v128.store offset=16 (local.get $p) (f64x2.add (v128.load offset=16 (local.get $p)) (local.get $s1)))
        (local.set $p (i32.add (local.get $q) (i32.shl (local.get $c) (i32.const 1))))
        (v128.store offset=0 (local.get $p) (f64x2.add (v128.load offset=0 (local.get $p)) (local.get $q0)))
        (v128.store offset=16 (local.get $p) (f64x2.add (v128.load offset=16 (local.get $p)) (local.get $q1)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cLoop)))
      (local.set $r0 (local.get $r1))
      (br $bLoop)))
  )
)
