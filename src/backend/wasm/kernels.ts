import { assembleModule, FunctionEmitter, ValType, type Local } from './assembler.js';

/**
 * The kernels of the WebAssembly backend, emitted as bytes: the float32
 * GEMM module ({@link emitKernelModule}) and a small elementwise module
 * (axpy and Dense's bias-and-activation epilogue,
 * {@link emitElementwiseModule}) over the same memory.
 *
 * The GEMM's scheme is the GotoBLAS/BLIS one. The host packs op(A) into row
 * panels of MR rows and op(B) into column panels of {@link NR}
 * columns, each panel stored depth-major (`panel[p][lane]`) and zero-padded
 * at the ragged edge, so the micro-kernel reads both operands with unit
 * stride and never branches on shape. The micro-kernel keeps an MR×NR tile
 * of C in MR·NR/4 f32x4 registers: per step of k it loads NR/4 vectors of B,
 * broadcasts MR scalars of A, and does MR·NR/4 multiply-adds.
 */

/** Columns of the register tile: two f32x4 vectors. */
export const NR = 8;
/**
 * Largest supported tile height ({@link KernelOptions.rows}): 6×8 already
 * fills V8's 15 xmm registers with fused multiply-add (12 accumulators,
 * 2 B vectors, 1 broadcast), and the module must stay under 4 KB.
 */
export const MAX_MR = 6;
/** Bytes of the scratch each thread's micro-kernel spills a partial edge tile to. */
export const EDGE_TILE_BYTES = MAX_MR * NR * 4;
/** Depth of one k-block: a KC×NR panel of B (8 KB) stays in L1 while A's row panels stream by. */
const KC = 256;
/** Row panels of A per block: a 12·MR×KC block of A (≤ 60 KB) stays in L2. */
export const PANELS_PER_BLOCK = 12;

const VECTORS = NR / 4;
const { i32, f64, v128 } = ValType;

/** Function indices (each is exported under its key). */
const KERNEL = { packA: 0, packB: 1, microKernel: 2, gemm: 3, gemmBlocked: 4, dotRows: 5, axpyRows: 6 } as const;

/** Options for emitting the module. */
export interface KernelOptions {
  /** Use relaxed SIMD's fused multiply-add in the inner loop (only when the engine validates it). */
  readonly relaxedMadd: boolean;
  /**
   * Rows of the register tile (MR), 1 to {@link MAX_MR}. The tile's
   * MR·NR/4 accumulators, NR/4 B vectors, the broadcast and (without
   * fused multiply-add) a product temporary must fit the 15 xmm registers
   * V8 allocates on x64, or the inner loop spills.
   */
  readonly rows: number;
  /** Declare the imported memory shared, with this maximum in 64 KiB pages (for threads). */
  readonly sharedMaxPages?: number;
}

/** Byte indices for `i8x16.shuffle` picking 32-bit lanes (0–3 from the first operand, 4–7 from the second). */
function lanes32(...picks: number[]): number[] {
  return picks.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3]);
}

/**
 * `packW(dst, src, rows, depth, rowStride, depthStride)` for a panel width
 * W fixed at emission: writes
 * `dst[panel][p][w] = src[(panel·W + w)·rowStride + p·depthStride]`
 * for every `p < depth`, with zeros where `panel·W + w ≥ rows`. Pointers
 * are byte addresses, strides are in elements. One routine packs both
 * operands (A as rows of op(A), B as rows of op(B)ᵀ); the strides absorb
 * the transpose flags. Full panels take a vector path: rows contiguous in
 * depth (`depthStride = 1`) are transposed four depth steps at a time
 * with shuffles, lanes contiguous (`rowStride = 1`) are copied as vectors.
 * What is left (ragged panels, depth remainders) goes element by element.
 */
function emitPack(name: string, W: number): FunctionEmitter {
  const f = new FunctionEmitter(name, [i32, i32, i32, i32, i32, i32]);
  const [dst, src, rows, depth, rowStride, depthStride] = f.params(6);
  const r0 = f.local(i32);
  const valid = f.local(i32);
  const p = f.local(i32);
  const w = f.local(i32);
  const column = f.local(i32);
  const s = f.local(i32);
  const row = Array.from({ length: 4 }, () => f.local(v128));
  const half = Array.from({ length: 4 }, () => f.local(v128));
  const groups = Math.floor(W / 4);
  const fullPanel = (): void => void f.local_get(valid).i32_const(W).i32_eq();

  // Strides to bytes once, up front.
  f.local_get(rowStride).i32_const(2).i32_shl().local_set(rowStride);
  f.local_get(depthStride).i32_const(2).i32_shl().local_set(depthStride);
  f.i32_const(0).local_set(r0);
  whileBelow(f, r0, rows, () => { // per panel
    minInto(f, valid, W, rows, r0);
    f.local_get(src).local_get(r0).local_get(rowStride).i32_mul().i32_add().local_set(column);
    f.i32_const(0).local_set(p);

    // Rows contiguous in depth: 4×4 transposes, four depth steps per pass.
    fullPanel();
    f.local_get(depthStride).i32_const(4).i32_eq().i32_and().if_();
    f.block().loop(); // while four depth steps remain
    {
      f.local_get(depth).local_get(p).i32_sub().i32_const(4).i32_lt_u().br_if(1);
      f.local_get(column).local_set(s);
      for (let g = 0; g < groups; g++) {
        for (let i = 0; i < 4; i++) {
          f.local_get(s).v128_load().local_set(row[i]!);
          f.local_get(s).local_get(rowStride).i32_add().local_set(s);
        }
        // (r0 r1 r2 r3 each over depth p..p+3) → four vectors, one per depth step.
        f.local_get(row[0]!).local_get(row[1]!).i8x16_shuffle(lanes32(0, 4, 1, 5)).local_set(half[0]!);
        f.local_get(row[2]!).local_get(row[3]!).i8x16_shuffle(lanes32(0, 4, 1, 5)).local_set(half[1]!);
        f.local_get(row[0]!).local_get(row[1]!).i8x16_shuffle(lanes32(2, 6, 3, 7)).local_set(half[2]!);
        f.local_get(row[2]!).local_get(row[3]!).i8x16_shuffle(lanes32(2, 6, 3, 7)).local_set(half[3]!);
        for (let q = 0; q < 4; q++) {
          const [lo, hi] = q < 2 ? [half[0]!, half[1]!] : [half[2]!, half[3]!];
          f.local_get(dst).local_get(lo).local_get(hi).i8x16_shuffle(q % 2 === 0 ? lanes32(0, 1, 4, 5) : lanes32(2, 3, 6, 7));
          f.v128_store(4 * (q * W + 4 * g));
        }
      }
      for (let i = 4 * groups; i < W; i++) {
        for (let q = 0; q < 4; q++) f.local_get(dst).local_get(s).f32_load(4 * q).f32_store(4 * (q * W + i));
        f.local_get(s).local_get(rowStride).i32_add().local_set(s);
      }
      incr(f, column, 16);
      incr(f, dst, 16 * W);
      incr(f, p, 4);
      f.br(0);
    }
    f.end().end();
    f.end();

    // Lanes contiguous: vector copies, one depth step per pass.
    fullPanel();
    f.local_get(rowStride).i32_const(4).i32_eq().i32_and().if_();
    whileBelow(f, p, depth, () => {
      for (let g = 0; g < groups; g++) f.local_get(dst).local_get(column).v128_load(16 * g).v128_store(16 * g);
      for (let i = 4 * groups; i < W; i++) f.local_get(dst).local_get(column).f32_load(4 * i).f32_store(4 * i);
      f.local_get(column).local_get(depthStride).i32_add().local_set(column);
      incr(f, dst, 4 * W);
      incr(f, p, 1);
    });
    f.end();

    // Whatever depth steps remain, element by element, zero-padding ragged panels.
    whileBelow(f, p, depth, () => {
      f.local_get(column).local_set(s);
      f.i32_const(0).local_set(w);
      doWhileBelow(f, w, valid, 1, () => { // the valid lanes (valid ≥ 1)
        f.local_get(dst).local_get(s).f32_load().f32_store();
        incr(f, dst, 4);
        f.local_get(s).local_get(rowStride).i32_add().local_set(s);
      });
      whileBelow(f, w, W, () => { // the padding lanes
        f.local_get(dst).f32_const(0).f32_store();
        incr(f, dst, 4);
        incr(f, w, 1);
      });
      f.local_get(column).local_get(depthStride).i32_add().local_set(column);
      incr(f, p, 1);
    });
    incr(f, r0, W);
  });
  return f;
}

/**
 * `microKernel(a, b, kc, c, ldcBytes, rows, cols, load, scratch)`: the MR×NR tile
 * `C[0:rows, 0:cols] (+)= Apanel · Bpanel` over `kc ≥ 1` depth steps, where
 * `load ≠ 0` adds to what C holds. Full tiles go straight to C with vector
 * stores; edge tiles are spilled to `scratch` (one per thread) and merged
 * element by element.
 */
function emitMicroKernel(options: KernelOptions): FunctionEmitter {
  const MR = options.rows;
  const f = new FunctionEmitter('microKernel', [i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [a, b, kc, c, ldc, rows, cols, load, scratch] = f.params(9);
  const acc = Array.from({ length: MR }, () => Array.from({ length: VECTORS }, () => f.local(v128)));
  const bv = Array.from({ length: VECTORS }, () => f.local(v128));
  const av = f.local(v128);
  const row = f.local(i32);
  const r = f.local(i32);
  const j = f.local(i32);
  const cRow = f.local(i32);

  f.f32_const(0).f32x4_splat().local_set(acc[0]![0]!);
  for (const rowAcc of acc) for (const x of rowAcc) if (x !== acc[0]![0]) f.local_get(acc[0]![0]!).local_set(x);

  f.loop();
  for (let v = 0; v < VECTORS; v++) f.local_get(b).v128_load(16 * v).local_set(bv[v]!);
  for (let i = 0; i < MR; i++) {
    f.local_get(a).v128_load32_splat(4 * i).local_set(av);
    for (let v = 0; v < VECTORS; v++) {
      madd(f, acc[i]![v]!, options.relaxedMadd, () => f.local_get(av).local_get(bv[v]!));
    }
  }
  incr(f, a, 4 * MR);
  incr(f, b, 4 * NR);
  f.local_get(kc).i32_const(1).i32_sub().local_tee(kc).br_if(0);
  f.end();

  // Full tile: vector read-modify-write of C, row by row.
  f.local_get(rows).i32_const(MR).i32_eq().local_get(cols).i32_const(NR).i32_eq().i32_and().if_();
  {
    f.local_get(c).local_set(row);
    for (let i = 0; i < MR; i++) {
      f.local_get(load).if_();
      for (let v = 0; v < VECTORS; v++) {
        const x = acc[i]![v]!;
        f.local_get(x).local_get(row).v128_load(16 * v).f32x4_add().local_set(x);
      }
      f.end();
      for (let v = 0; v < VECTORS; v++) f.local_get(row).local_get(acc[i]![v]!).v128_store(16 * v);
      if (i < MR - 1) f.local_get(row).local_get(ldc).i32_add().local_set(row);
    }
    f.return_();
  }
  f.end();

  // Edge tile: spill to the scratch, then merge the valid rows×cols scalars.
  for (let i = 0; i < MR; i++) {
    for (let v = 0; v < VECTORS; v++) f.local_get(scratch).local_get(acc[i]![v]!).v128_store(16 * (i * VECTORS + v));
  }
  f.i32_const(0).local_set(r);
  f.local_get(c).local_set(cRow);
  doWhileBelow(f, r, rows, 1, () => {
    f.i32_const(0).local_set(j);
    doWhileBelow(f, j, cols, 1, () => {
      // C[r][j] = spilled[r][j] + (load ? C[r][j] : 0); C is read either way (it is in bounds), select picks.
      f.local_get(cRow).local_get(j).i32_const(2).i32_shl().i32_add().local_set(row);
      f.local_get(row);
      f.local_get(r).i32_const(NR).i32_mul().local_get(j).i32_add().i32_const(2).i32_shl().local_get(scratch).i32_add().f32_load();
      f.local_get(row).f32_load().f32_const(0).local_get(load).select().f32_add();
      f.f32_store();
    });
    f.local_get(cRow).local_get(ldc).i32_add().local_set(cRow);
  });
  return f;
}

/**
 * `gemm(aPack, bPack, c, m, n, kc, aPanelBytes, bPanelBytes, ldcBytes, load, scratch)`:
 * one k-block of `C[m×n] (+)= op(A)[m×kc] · op(B)[kc×n]` from packed panels
 * (panel `i` of A starts at `aPack + i·aPanelBytes`, likewise B). Columns
 * outside, rows inside: one B panel (kc×NR) stays in L1 while the row
 * panels of A stream past it from L2.
 */
function emitGemm(MR: number): FunctionEmitter {
  const f = new FunctionEmitter('gemm', [i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [aPack, bPack, c, m, n, kc, aPanel, bPanel, ldc, load, scratch] = f.params(11);
  const jr = f.local(i32);
  const ir = f.local(i32);
  const ap = f.local(i32);
  const cp = f.local(i32);
  const rows = f.local(i32);
  const cols = f.local(i32);
  const cStep = f.local(i32);

  f.local_get(ldc).i32_const(MR).i32_mul().local_set(cStep);
  f.i32_const(0).local_set(jr);
  doWhileBelow(f, jr, n, NR, () => { // column panels
    minInto(f, cols, NR, n, jr);
    f.i32_const(0).local_set(ir);
    f.local_get(aPack).local_set(ap);
    f.local_get(c).local_get(jr).i32_const(2).i32_shl().i32_add().local_set(cp);
    doWhileBelow(f, ir, m, MR, () => { // row panels
      minInto(f, rows, MR, m, ir);
      for (const arg of [ap, bPack, kc, cp, ldc, rows, cols, load, scratch]) f.local_get(arg);
      f.call(KERNEL.microKernel);
      f.local_get(ap).local_get(aPanel).i32_add().local_set(ap);
      f.local_get(cp).local_get(cStep).i32_add().local_set(cp);
    });
    f.local_get(bPack).local_get(bPanel).i32_add().local_set(bPack);
  });
  return f;
}

/**
 * `gemmBlocked(aPack, bPack, c, m, n, k, aPanelBytes, bPanelBytes, ldcBytes, load, scratch)`:
 * the whole `C[m×n] (+)= op(A)·op(B)` from packed panels, in k-blocks of
 * {@link KC} and row blocks of {@link PANELS_PER_BLOCK} panels. A thread
 * computes its share of rows by calling it on its range of row panels
 * (`aPack` and `c` moved to the first row of the range); shares split at
 * panel boundaries give every row the same operations as one call would.
 * Requires m, n, k ≥ 1.
 */
function emitGemmBlocked(MR: number): FunctionEmitter {
  const f = new FunctionEmitter('gemmBlocked', [i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [aPack, bPack, c, m, n, k, aPanel, bPanel, ldc, load, scratch] = f.params(11);
  const p0 = f.local(i32);
  const kc = f.local(i32);
  const i0 = f.local(i32);
  const rows = f.local(i32);
  const ap = f.local(i32);
  const cp = f.local(i32);
  const blockRows = PANELS_PER_BLOCK * MR;

  f.i32_const(0).local_set(p0);
  doWhileBelow(f, p0, k, KC, () => { // k-blocks
    minInto(f, kc, KC, k, p0);
    f.local_get(aPack).local_get(p0).i32_const(4 * MR).i32_mul().i32_add().local_set(ap);
    f.local_get(c).local_set(cp);
    f.i32_const(0).local_set(i0);
    doWhileBelow(f, i0, m, blockRows, () => { // row blocks
      minInto(f, rows, blockRows, m, i0);
      f.local_get(ap);
      f.local_get(bPack).local_get(p0).i32_const(4 * NR).i32_mul().i32_add();
      f.local_get(cp).local_get(rows).local_get(n).local_get(kc).local_get(aPanel).local_get(bPanel).local_get(ldc);
      // Later k-blocks add to what the earlier ones left in C.
      f.local_get(load).local_get(p0).i32_or();
      f.local_get(scratch);
      f.call(KERNEL.gemm);
      f.local_get(ap).local_get(aPanel).i32_const(PANELS_PER_BLOCK).i32_mul().i32_add().local_set(ap);
      f.local_get(cp).local_get(ldc).i32_const(blockRows).i32_mul().i32_add().local_set(cp);
    });
  });
  return f;
}

/** Horizontal sum of an f32x4 as `(x0 + x1) + (x2 + x3)`, left on the stack. */
function horizontalSum(f: FunctionEmitter, x: Local): void {
  f.local_get(x).f32x4_extract_lane(0).local_get(x).f32x4_extract_lane(1).f32_add();
  f.local_get(x).f32x4_extract_lane(2).local_get(x).f32x4_extract_lane(3).f32_add();
  f.f32_add();
}

/**
 * `acc = acc + x·y` for the f32x4 values `operands` pushes (x, then y):
 * relaxed SIMD's fused multiply-add when `fused`, else a multiply and an add.
 */
function madd(f: FunctionEmitter, acc: Local, fused: boolean, operands: () => void): void {
  if (fused) {
    operands();
    f.local_get(acc).f32x4_relaxed_madd();
  } else {
    f.local_get(acc);
    operands();
    f.f32x4_mul().f32x4_add();
  }
  f.local_set(acc);
}

/**
 * `dotRows(a, b, c, m, n, k, load)`: `C[i][j] (+)= Σₚ A[i][p]·B[j][p]` for
 * A `m×k` and B `n×k`, both row-major: every entry is the dot product of
 * two contiguous rows, so nothing is packed. It serves thin products where
 * op(B) is stored transposed, such as `y = W·x` (m = 1): the rows of W
 * stream through once, eight lanes at a time, then a scalar tail.
 */
function emitDotRows(options: KernelOptions): FunctionEmitter {
  const f = new FunctionEmitter('dotRows', [i32, i32, i32, i32, i32, i32, i32]);
  const [a, b, c, m, n, k, load] = f.params(7);
  const i = f.local(i32);
  const j = f.local(i32);
  const p = f.local(i32);
  const pa = f.local(i32);
  const pb = f.local(i32);
  const acc0 = f.local(v128);
  const acc1 = f.local(v128);
  const sum = f.local(ValType.f32);

  f.i32_const(0).local_set(i);
  whileBelow(f, i, m, () => { // rows of A
    f.local_get(b).local_set(pb);
    f.i32_const(0).local_set(j);
    whileBelow(f, j, n, () => { // rows of B
      f.local_get(a).local_get(i).local_get(k).i32_mul().i32_const(2).i32_shl().i32_add().local_set(pa);
      f.f32_const(0).f32x4_splat().local_tee(acc0).local_set(acc1);
      f.i32_const(0).local_set(p);
      f.block().loop(); // eight depth steps per pass
      {
        f.local_get(k).local_get(p).i32_sub().i32_const(8).i32_lt_u().br_if(1);
        madd(f, acc0, options.relaxedMadd, () => f.local_get(pa).v128_load().local_get(pb).v128_load());
        madd(f, acc1, options.relaxedMadd, () => f.local_get(pa).v128_load(16).local_get(pb).v128_load(16));
        incr(f, pa, 32);
        incr(f, pb, 32);
        incr(f, p, 8);
        f.br(0);
      }
      f.end().end();
      f.local_get(acc0).local_get(acc1).f32x4_add().local_set(acc0);
      horizontalSum(f, acc0);
      f.local_set(sum);
      whileBelow(f, p, k, () => { // the depth tail
        f.local_get(sum).local_get(pa).f32_load().local_get(pb).f32_load().f32_mul().f32_add().local_set(sum);
        incr(f, pa, 4);
        incr(f, pb, 4);
        incr(f, p, 1);
      });
      // C is in bounds either way; select picks whether it counts.
      f.local_get(c);
      f.local_get(sum).local_get(c).f32_load().f32_const(0).local_get(load).select().f32_add();
      f.f32_store();
      incr(f, c, 4);
      incr(f, j, 1);
    });
    incr(f, i, 1);
  });
  return f;
}

/**
 * `axpyRows(a, aRowStride, aDepthStride, b, c, m, k, n, load)`:
 * `C[i][:] (+)= Σₚ A(i, p)·B[p][:]` for B `k×n` row-major, with A's
 * element (i, p) at `a + i·aRowStride + p·aDepthStride` (strides in
 * bytes, so either layout of A works). Each row of C is built by scaled
 * row additions of B, four lanes at a time, and nothing is packed. It
 * serves thin products where op(B) is stored plainly: `x·W` for m = 1 and
 * outer products (k = 1), such as a batch-1 weight gradient.
 */
function emitAxpyRows(): FunctionEmitter {
  const f = new FunctionEmitter('axpyRows', [i32, i32, i32, i32, i32, i32, i32, i32, i32]);
  const [a, aRowStride, aDepthStride, b, c, m, k, n, load] = f.params(9);
  const i = f.local(i32);
  const p = f.local(i32);
  const pa = f.local(i32);
  const pb = f.local(i32);
  const pc = f.local(i32);
  const s = f.local(ValType.f32);
  const sv = f.local(v128);
  const rowEnd = f.local(i32);
  const vectorEnd = f.local(i32);
  const rowBytes = f.local(i32);

  f.local_get(n).i32_const(2).i32_shl().local_set(rowBytes);
  f.i32_const(0).local_set(i);
  whileBelow(f, i, m, () => { // rows of C
    f.local_get(c).local_get(rowBytes).i32_add().local_set(rowEnd);
    // Whole vectors end 16 bytes or less before the row's end.
    f.local_get(c).local_get(n).i32_const(-4).i32_and().i32_const(2).i32_shl().i32_add().local_set(vectorEnd);
    f.local_get(a).local_get(i).local_get(aRowStride).i32_mul().i32_add().local_set(pa);
    f.local_get(b).local_set(pb);
    f.i32_const(0).local_set(p);
    whileBelow(f, p, k, () => { // depth
      f.local_get(pa).f32_load().local_tee(s).f32x4_splat().local_set(sv);
      f.local_get(c).local_set(pc);
      // The first step without `load` stores the products: no pass to zero C first.
      f.local_get(p).local_get(load).i32_or().if_();
      emitScaledRowPass(f, { pc, pb, s, sv, vectorEnd, rowEnd }, true);
      f.else_();
      emitScaledRowPass(f, { pc, pb, s, sv, vectorEnd, rowEnd }, false);
      f.end();
      f.local_get(pa).local_get(aDepthStride).i32_add().local_set(pa);
      incr(f, p, 1);
    });
    f.local_get(c).local_get(rowBytes).i32_add().local_set(c);
    incr(f, i, 1);
  });
  return f;
}

/**
 * One pass of `axpyRows` over a row of C: `C[j] = (add ? C[j] : 0) + s·B[j]`
 * from `pc` to `rowEnd`, four lanes at a time up to `vectorEnd`, then
 * scalars. Advances `pc` and `pb`.
 */
function emitScaledRowPass(
  f: FunctionEmitter, at: { pc: Local; pb: Local; s: Local; sv: Local; vectorEnd: Local; rowEnd: Local }, add: boolean,
): void {
  const { pc, pb, s, sv, vectorEnd, rowEnd } = at;
  whileBelow(f, pc, vectorEnd, () => { // four lanes at a time
    f.local_get(pc);
    if (add) f.local_get(pc).v128_load();
    f.local_get(sv).local_get(pb).v128_load().f32x4_mul();
    if (add) f.f32x4_add();
    f.v128_store();
    incr(f, pc, 16);
    incr(f, pb, 16);
  });
  whileBelow(f, pc, rowEnd, () => { // the column tail
    f.local_get(pc);
    if (add) f.local_get(pc).f32_load();
    f.local_get(s).local_get(pb).f32_load().f32_mul();
    if (add) f.f32_add();
    f.f32_store();
    incr(f, pc, 4);
    incr(f, pb, 4);
  });
}

/** Activation codes for `biasActivation`'s `act` argument. */
export const EPILOGUE = { none: 0, relu: 1, leakyRelu: 2 } as const;

/** Shuffle lanes: an f32x4's lanes 2 and 3 moved down, so promoting them takes the high half. */
const HIGH_HALF = lanes32(2, 3, 2, 3);
/** Shuffle lanes: the low halves of two f32x4 joined, as two demotes leave them. */
const JOIN_LOWS = lanes32(0, 1, 4, 5);

/**
 * `axpy(out, a, n, s)`: `out[i] = f32(out[i] + a[i]·s)` for `i < n`, on
 * float32 arrays at byte addresses, with `s` a double and the product and
 * sum computed in float64 lanes. That is what JavaScript does for
 * `out[i] += a[i] * s` on a Float32Array (a double product, a double sum,
 * one rounding on the store), so the result is bit-identical to the
 * reference kernel's; f32x4 arithmetic would round the product too. Four
 * elements per pass as two f64x2 halves, then a scalar tail.
 */
function emitAxpy(): FunctionEmitter {
  const f = new FunctionEmitter('axpy', [i32, i32, i32, f64]);
  const [out, a, n, s] = f.params(4);
  const sv = f.local(v128);
  const vectorEnd = f.local(i32);
  const end = f.local(i32);

  f.local_get(s).f64x2_splat().local_set(sv);
  f.local_get(out).local_get(n).i32_const(2).i32_shl().i32_add().local_set(end);
  f.local_get(out).local_get(n).i32_const(-4).i32_and().i32_const(2).i32_shl().i32_add().local_set(vectorEnd);
  whileBelow(f, out, vectorEnd, () => { // four lanes at a time
    f.local_get(out);
    for (const half of [0, 8]) {
      f.local_get(out).v128_load64_zero(half).f64x2_promote_low_f32x4();
      f.local_get(a).v128_load64_zero(half).f64x2_promote_low_f32x4().local_get(sv).f64x2_mul();
      f.f64x2_add().f32x4_demote_f64x2_zero();
    }
    f.i8x16_shuffle(JOIN_LOWS).v128_store();
    incr(f, out, 16);
    incr(f, a, 16);
  });
  whileBelow(f, out, end, () => { // the tail
    f.local_get(out);
    f.local_get(out).f32_load().f64_promote_f32();
    f.local_get(a).f32_load().f64_promote_f32().local_get(s).f64_mul();
    f.f64_add().f32_demote_f64().f32_store();
    incr(f, out, 4);
    incr(f, a, 4);
  });
  return f;
}

/**
 * `biasActivation(c, bias, out, rows, units, act, alpha)`: a Dense
 * layer's epilogue on its product C (`rows×units` float32 at `c`) where
 * the product left it. Unless `bias` is 0 (address 0 holds the edge-tile
 * scratch, never an operand), `C[i][j] += bias[j]` in place; f32 addition
 * rounds as the reference's double sum does once stored. Unless `act` is
 * `EPILOGUE.none`, `OUT[i][j] = act(C[i][j])` at `out`: `x > 0 ? x : y`
 * by compare and bit-select, so NaN and −0 give y as the reference's
 * ternary does (a max would not), with y = 0 for relu and `alpha·x` for
 * leakyRelu, multiplied in float64 lanes and rounded once as the
 * reference's double product is.
 */
function emitBiasActivation(): FunctionEmitter {
  const f = new FunctionEmitter('biasActivation', [i32, i32, i32, i32, i32, i32, f64]);
  const [c, bias, out, rows, units, act, alpha] = f.params(7);
  const r = f.local(i32);
  const pb = f.local(i32);
  const vectorEnd = f.local(i32);
  const rowEnd = f.local(i32);
  const x = f.local(v128);
  const y = f.local(v128);
  const alphaV = f.local(v128);
  const zero = f.local(v128);

  // One element in lane 0 (the other lanes compute on zeros) or four lanes.
  const step = (vector: boolean): void => {
    const load = (): void => void (vector ? f.v128_load() : f.v128_load32_zero());
    const store = (): void => void (vector ? f.v128_store() : f.v128_store32_lane(0));
    f.local_get(c);
    load();
    f.local_set(x);
    f.local_get(bias).if_();
    f.local_get(x).local_get(pb);
    load();
    f.f32x4_add().local_set(x);
    f.local_get(c).local_get(x);
    store();
    f.end();
    f.local_get(act).if_();
    f.local_get(zero).local_set(y);
    f.local_get(act).i32_const(EPILOGUE.leakyRelu).i32_eq().if_();
    f.local_get(x).f64x2_promote_low_f32x4().local_get(alphaV).f64x2_mul().f32x4_demote_f64x2_zero();
    f.local_get(x).local_get(x).i8x16_shuffle(HIGH_HALF).f64x2_promote_low_f32x4().local_get(alphaV).f64x2_mul().f32x4_demote_f64x2_zero();
    f.i8x16_shuffle(JOIN_LOWS).local_set(y);
    f.end();
    f.local_get(out).local_get(x).local_get(y).local_get(x).local_get(zero).f32x4_gt().v128_bitselect();
    store();
    f.end();
    const bytes = vector ? 16 : 4;
    incr(f, c, bytes);
    incr(f, pb, bytes);
    incr(f, out, bytes);
  };

  f.local_get(alpha).f64x2_splat().local_set(alphaV);
  f.f32_const(0).f32x4_splat().local_set(zero);
  f.i32_const(0).local_set(r);
  whileBelow(f, r, rows, () => {
    f.local_get(bias).local_set(pb);
    f.local_get(c).local_get(units).i32_const(2).i32_shl().i32_add().local_set(rowEnd);
    f.local_get(c).local_get(units).i32_const(-4).i32_and().i32_const(2).i32_shl().i32_add().local_set(vectorEnd);
    whileBelow(f, c, vectorEnd, () => step(true)); // four lanes at a time
    whileBelow(f, c, rowEnd, () => step(false)); // the column tail
    incr(f, r, 1);
  });
  return f;
}

/** `target = min(cap, total − start)`. */
function minInto(f: FunctionEmitter, target: Local, cap: number, total: Local, start: Local): void {
  f.local_get(total).local_get(start).i32_sub().local_set(target);
  f.i32_const(cap).local_get(target).local_get(target).i32_const(cap).i32_gt_u().select().local_set(target);
}

function incr(f: FunctionEmitter, x: Local, by: number): void {
  f.local_get(x).i32_const(by).i32_add().local_set(x);
}

/**
 * `while (x < limit) body()`, unsigned, tested before each pass; `body`
 * advances `x`. Inside `body`, branch depths count from the loop.
 */
function whileBelow(f: FunctionEmitter, x: Local, limit: Local | number, body: () => void): void {
  f.block().loop();
  f.local_get(x);
  if (typeof limit === 'number') f.i32_const(limit);
  else f.local_get(limit);
  f.i32_lt_u().i32_eqz().br_if(1);
  body();
  f.br(0);
  f.end().end();
}

/** `do { body(); x += step } while (x < limit)`, unsigned: for loops known to run at least once. */
function doWhileBelow(f: FunctionEmitter, x: Local, limit: Local, step: number, body: () => void): void {
  f.loop();
  body();
  incr(f, x, step);
  f.local_get(x).local_get(limit).i32_lt_u().br_if(0);
  f.end();
}

/**
 * The elementwise module: `axpy` and `biasActivation`, over the same
 * imported memory as the GEMM module (shared, with `sharedMaxPages`, when
 * that one is). A module of its own keeps each under browsers' 4 KB limit
 * for synchronous compilation.
 */
export function emitElementwiseModule(sharedMaxPages?: number): Uint8Array<ArrayBuffer> {
  return assembleModule([emitAxpy(), emitBiasActivation()], sharedMaxPages);
}

/** The GEMM module's bytes; function indices follow {@link KERNEL}. */
export function emitKernelModule(options: KernelOptions): Uint8Array<ArrayBuffer> {
  return assembleModule([
    emitPack('packA', options.rows), emitPack('packB', NR), emitMicroKernel(options), emitGemm(options.rows),
    emitGemmBlocked(options.rows), emitDotRows(options), emitAxpyRows(),
  ], options.sharedMaxPages);
}
