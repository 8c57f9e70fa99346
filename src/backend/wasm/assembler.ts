/**
 * A minimal WebAssembly assembler: just enough of the binary format to
 * emit the kernels in `kernels.ts` (one imported memory, functions over
 * i32/f32/f64/v128 locals, structured control flow, loads/stores and a few
 * SIMD opcodes). Writing the bytes ourselves keeps the build free of any
 * external toolchain; the engine's `WebAssembly.validate` checks the result.
 */

/** Value types, by their binary encoding. */
export const ValType = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Appends the unsigned LEB128 encoding of `value`. */
function unsignedLeb(bytes: number[], value: number): void {
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    bytes.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
}

/** Appends the signed LEB128 encoding of a 32-bit integer. */
function signedLeb(bytes: number[], value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function utf8(bytes: number[], text: string): void {
  const encoded = new TextEncoder().encode(text);
  unsignedLeb(bytes, encoded.length);
  bytes.push(...encoded);
}

/** `N` elements of `T` as a tuple type (N a small literal). */
type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Tuple<T, N, [...R, T]>;

/** A local variable or parameter of the function being emitted. */
export interface Local {
  readonly index: number;
  readonly type: ValType;
}

/**
 * Emits one function body. Methods mirror the text format's instruction
 * names (`local_get` for `local.get`); memory accesses take a static byte
 * offset, which the engine folds into the address for free.
 */
export class FunctionEmitter {
  readonly code: number[] = [];
  private readonly paramList: ValType[];
  private readonly extraLocals: ValType[] = [];

  /** A function named `name` (its export name) taking `params` and returning nothing. */
  constructor(readonly name: string, params: readonly ValType[]) {
    this.paramList = [...params];
  }

  /** The `i`-th parameter as a local. */
  param(i: number): Local {
    return { index: i, type: this.paramList[i]! };
  }

  /** The first `count` parameters as locals, typed as a tuple of that length to destructure. */
  params<N extends number>(count: N): Tuple<Local, N> {
    return Array.from({ length: count }, (_, i) => this.param(i)) as Tuple<Local, N>;
  }

  /** Declares a new local of type `type`. */
  local(type: ValType): Local {
    this.extraLocals.push(type);
    return { index: this.paramList.length + this.extraLocals.length - 1, type };
  }

  get paramTypes(): readonly ValType[] {
    return this.paramList;
  }

  /** The body with its local declarations, as the code section stores it. */
  body(): number[] {
    const bytes: number[] = [];
    unsignedLeb(bytes, this.extraLocals.length);
    for (const type of this.extraLocals) bytes.push(1, type);
    bytes.push(...this.code, 0x0b);
    const sized: number[] = [];
    unsignedLeb(sized, bytes.length);
    return [...sized, ...bytes];
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  private index(value: number): this {
    unsignedLeb(this.code, value);
    return this;
  }

  private simd(opcode: number): this {
    this.code.push(0xfd);
    unsignedLeb(this.code, opcode);
    return this;
  }

  private memarg(alignLog2: number, offset: number): this {
    unsignedLeb(this.code, alignLog2);
    unsignedLeb(this.code, offset);
    return this;
  }

  // Control flow. Blocks and loops carry no value (block type 0x40).
  /** `unreachable`: traps. */
  unreachable(): this { return this.op(0x00); }
  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  if_(): this { return this.op(0x04, 0x40); }
  else_(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { return this.op(0x0c).index(depth); }
  br_if(depth: number): this { return this.op(0x0d).index(depth); }
  return_(): this { return this.op(0x0f); }
  call(funcIndex: number): this { return this.op(0x10).index(funcIndex); }
  /** `select`: the first operand when the i32 condition is non-zero, else the second. */
  select(): this { return this.op(0x1b); }

  // Locals.
  local_get(l: Local): this { return this.op(0x20).index(l.index); }
  local_set(l: Local): this { return this.op(0x21).index(l.index); }
  local_tee(l: Local): this { return this.op(0x22).index(l.index); }

  // Scalar memory.
  f32_load(offset = 0): this { return this.op(0x2a).memarg(2, offset); }
  f32_store(offset = 0): this { return this.op(0x38).memarg(2, offset); }

  // i32 arithmetic.
  i32_const(value: number): this {
    this.code.push(0x41);
    signedLeb(this.code, value);
    return this;
  }
  i32_eqz(): this { return this.op(0x45); }
  i32_eq(): this { return this.op(0x46); }
  i32_lt_u(): this { return this.op(0x49); }
  i32_gt_u(): this { return this.op(0x4b); }
  i32_add(): this { return this.op(0x6a); }
  i32_sub(): this { return this.op(0x6b); }
  i32_mul(): this { return this.op(0x6c); }
  i32_and(): this { return this.op(0x71); }
  i32_or(): this { return this.op(0x72); }
  i32_shl(): this { return this.op(0x74); }

  // f32 arithmetic.
  f32_const(value: number): this {
    this.code.push(0x43);
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    this.code.push(...bytes);
    return this;
  }
  f32_add(): this { return this.op(0x92); }
  f32_mul(): this { return this.op(0x94); }
  f32_gt(): this { return this.op(0x5e); }

  // f64 arithmetic and conversions.
  f64_add(): this { return this.op(0xa0); }
  f64_mul(): this { return this.op(0xa2); }
  /** `f32.demote_f64`: rounds to nearest float32, ties to even (what `Math.fround` does). */
  f32_demote_f64(): this { return this.op(0xb6); }
  f64_promote_f32(): this { return this.op(0xbb); }

  // SIMD (all under the 0xfd prefix).
  v128_load(offset = 0): this { return this.simd(0x00).memarg(4, offset); }
  v128_load32_splat(offset = 0): this { return this.simd(0x09).memarg(2, offset); }
  v128_store(offset = 0): this { return this.simd(0x0b).memarg(4, offset); }
  /** `v128.load32_zero`: 4 bytes into lane 0, zeros above. */
  v128_load32_zero(offset = 0): this { return this.simd(0x5c).memarg(2, offset); }
  /** `v128.store32_lane`: stores 32-bit lane `lane` only. */
  v128_store32_lane(lane: number, offset = 0): this { return this.simd(0x5a).memarg(2, offset).op(lane); }
  /** `v128.load64_zero`: 8 bytes into the low half, zeros above. */
  v128_load64_zero(offset = 0): this { return this.simd(0x5d).memarg(3, offset); }
  v128_and(): this { return this.simd(0x4e); }
  /** `v128.bitselect`: bits of the first operand where the third (the mask) is 1, of the second where it is 0. */
  v128_bitselect(): this { return this.simd(0x52); }
  /** `i8x16.shuffle`: byte `i` of the result is byte `lanes[i]` of the two operands concatenated. */
  i8x16_shuffle(lanes: readonly number[]): this {
    this.simd(0x0d);
    this.code.push(...lanes);
    return this;
  }
  f32x4_splat(): this { return this.simd(0x13); }
  f32x4_extract_lane(lane: number): this { return this.simd(0x1f).op(lane); }
  f32x4_add(): this { return this.simd(0xe4); }
  f32x4_mul(): this { return this.simd(0xe6); }
  /** `f32x4.gt`: all ones in a lane where the first operand is greater (false for NaN), else zeros. */
  f32x4_gt(): this { return this.simd(0x44); }
  f64x2_splat(): this { return this.simd(0x14); }
  f64x2_add(): this { return this.simd(0xf0); }
  f64x2_mul(): this { return this.simd(0xf2); }
  /** `f64x2.promote_low_f32x4`: the low two float32 lanes, exactly, as float64. */
  f64x2_promote_low_f32x4(): this { return this.simd(0x5f); }
  /** `f32x4.demote_f64x2_zero`: both float64 lanes rounded to float32 in the low two lanes, zeros above. */
  f32x4_demote_f64x2_zero(): this { return this.simd(0x5e); }
  /** Relaxed SIMD fused multiply-add `a·b + c` (may or may not round once, per the proposal). */
  f32x4_relaxed_madd(): this { return this.simd(0x105); }
}

/**
 * Assembles a module that imports its memory as `env.memory` (so the host
 * owns and grows it) and exports every function under its name. With
 * `sharedMaxPages`, the memory is declared shared with that maximum (in
 * 64 KiB pages), as threads need: every worker instantiates the module
 * over the same memory.
 */
export function assembleModule(functions: readonly FunctionEmitter[], sharedMaxPages?: number): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, content: number[]): void => {
    out.push(id);
    unsignedLeb(out, content.length);
    out.push(...content);
  };
  const vector = (items: number[][]): number[] => {
    const bytes: number[] = [];
    unsignedLeb(bytes, items.length);
    for (const item of items) bytes.push(...item);
    return bytes;
  };

  // One function type per function (params, no results) keeps indices trivial.
  section(1, vector(functions.map((f) => [0x60, ...vector(f.paramTypes.map((t) => [t])), 0x00])));
  const memoryImport: number[] = [];
  utf8(memoryImport, 'env');
  utf8(memoryImport, 'memory');
  if (sharedMaxPages === undefined) memoryImport.push(0x02, 0x00, 0x01); // memory, limits: min only, 1 page
  else {
    memoryImport.push(0x02, 0x03, 0x01); // memory, limits: shared, min 1 page, then the maximum
    unsignedLeb(memoryImport, sharedMaxPages);
  }
  section(2, vector([memoryImport]));
  section(3, vector(functions.map((_, i) => { const b: number[] = []; unsignedLeb(b, i); return b; })));
  section(7, vector(functions.map((f, i) => { const b: number[] = []; utf8(b, f.name); b.push(0x00); unsignedLeb(b, i); return b; })));
  section(10, vector(functions.map((f) => f.body())));
  return new Uint8Array(out);
}
