;; The embedded vector store's scan kernel: one dot product per stored row, four lanes at a
;; time (WebAssembly SIMD). The compiled bytes live in dot-scan-wasm.ts (`npm run generate`).
(module
  (import "env" "memory" (memory 1))

  ;; out[r] = dot(row r, query) for r in [0, rows). Rows are `stride` f32 apart, stride a
  ;; multiple of 4; `rows`, `query` and `out` are byte offsets into the memory.
  (func (export "scan")
    (param $rowsAt i32) (param $rows i32) (param $stride i32) (param $query i32) (param $out i32)
    (local $row i32) (local $p i32) (local $q i32) (local $rowEnd i32) (local $rowBytes i32) (local $acc v128)
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $p (local.get $rowsAt))
    (block $done
      (loop $eachRow
        (br_if $done (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $q (local.get $query))
        (local.set $rowEnd (i32.add (local.get $p) (local.get $rowBytes)))
        (loop $eachLane
          (local.set $acc
            (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $q)))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (br_if $eachLane (i32.lt_u (local.get $p) (local.get $rowEnd))))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $eachRow)))))
