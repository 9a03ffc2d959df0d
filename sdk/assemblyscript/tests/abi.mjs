// A JavaScript implementation of the host side of ABI.md, independent of
// the SDK's, for the tests: the value encoding (§3) and an arbiter_v1 host
// (§4) that records what the guest asks of it.
//
// Values: null, booleans, integers as Number (BigInt beyond 2^53), floats
// as F, strings, Uint8Array as bytes, arrays as lists, plain objects as
// maps.

/** A float (so that 1.0 is not the int 1). */
export class F {
  constructor(v) { this.v = v; }
}

const te = new TextEncoder();
const td = new TextDecoder();

export function encode(v) {
  const out = [];
  const uvarint = (n) => {
    n = BigInt(n);
    while (n >= 0x80n) { out.push(Number(n & 0x7fn) | 0x80); n >>= 7n; }
    out.push(Number(n));
  };
  const raw = (b) => { uvarint(b.length); for (const x of b) out.push(x); };
  const put = (v) => {
    if (v === null || v === undefined) out.push(0x00);
    else if (v === false) out.push(0x01);
    else if (v === true) out.push(0x02);
    else if (typeof v === "number" || typeof v === "bigint") {
      if (typeof v === "number" && !Number.isInteger(v)) throw new Error("use F for floats");
      const n = BigInt.asIntN(64, BigInt(v));
      out.push(0x03);
      uvarint(BigInt.asUintN(64, (n << 1n) ^ (n >> 63n)));
    } else if (v instanceof F) {
      out.push(0x04);
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, v.v, true);
      for (const x of b) out.push(x);
    } else if (typeof v === "string") { out.push(0x05); raw(te.encode(v)); }
    else if (v instanceof Uint8Array) { out.push(0x06); raw(v); }
    else if (Array.isArray(v)) { out.push(0x07); uvarint(v.length); v.forEach(put); }
    else {
      const keys = Object.keys(v);
      out.push(0x08);
      uvarint(keys.length);
      for (const k of keys) { raw(te.encode(k)); put(v[k]); }
    }
  };
  put(v);
  return Uint8Array.from(out);
}

export function decode(b) {
  let off = 0;
  const uvarint = () => {
    let v = 0n;
    for (let i = 0; i < 10; i++) {
      if (off >= b.length) throw new Error("truncated varint");
      const x = b[off++];
      if (i === 9 && x > 1) throw new Error("varint overflow");
      v |= BigInt(x & 0x7f) << BigInt(7 * i);
      if (x < 0x80) return v;
    }
    throw new Error("varint overflow");
  };
  const len = () => {
    const n = uvarint();
    if (n > BigInt(b.length - off)) throw new Error("length exceeds the bytes left");
    return Number(n);
  };
  const raw = () => { const n = len(); const s = b.subarray(off, off + n); off += n; return s; };
  const value = (depth) => {
    if (off >= b.length) throw new Error("truncated value");
    const tag = b[off++];
    switch (tag) {
      case 0x00: return null;
      case 0x01: return false;
      case 0x02: return true;
      case 0x03: {
        const u = uvarint();
        const n = BigInt.asIntN(64, (u >> 1n) ^ -(u & 1n));
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      }
      case 0x04: {
        if (b.length - off < 8) throw new Error("truncated float");
        const f = new DataView(b.buffer, b.byteOffset + off, 8).getFloat64(0, true);
        off += 8;
        return new F(f);
      }
      case 0x05: return td.decode(raw());
      case 0x06: return Uint8Array.from(raw());
      case 0x07: {
        if (depth >= 64) throw new Error("too deep");
        const n = len();
        const l = [];
        for (let i = 0; i < n; i++) l.push(value(depth + 1));
        return l;
      }
      case 0x08: {
        if (depth >= 64) throw new Error("too deep");
        const n = len();
        const m = {};
        for (let i = 0; i < n; i++) {
          const k = td.decode(raw());
          if (Object.hasOwn(m, k)) throw new Error("duplicate key " + k);
          m[k] = value(depth + 1);
        }
        return m;
      }
    }
    throw new Error("unknown tag " + tag);
  };
  const v = value(0);
  if (off !== b.length) throw new Error(`${b.length - off} trailing bytes`);
  return v;
}

/**
 * A guest instance with a recording host. nk maps nk function names to JS
 * functions (arguments decoded, results returned as a list; a thrown
 * error is an ERROR status).
 */
export function instantiate(module, nk = {}) {
  const st = { memory: null, pending: null, logs: [], sent: [] };
  const bytes = (p, n) => (n === 0 ? new Uint8Array(0) : new Uint8Array(st.memory.buffer, p, n).slice());
  const text = (p, n) => td.decode(bytes(p, n));
  const word = (status, reply) => {
    st.pending = reply && reply.length ? reply : null;
    return (BigInt(status) << 32n) | BigInt(st.pending ? st.pending.length : 0);
  };
  const host = {
    take(p, n) {
      if (!st.pending) return 3;
      new Uint8Array(st.memory.buffer, p, Math.min(n, st.pending.length)).set(st.pending.subarray(0, n));
      st.pending = null;
      return 0;
    },
    nk_call(np, nl, ap, al) {
      const name = text(np, nl);
      const args = al ? decode(bytes(ap, al)) : [];
      const fn = nk[name];
      if (!fn) return word(3, encode({ message: "nk function not found: " + name }));
      try {
        return word(0, encode(fn(...args)));
      } catch (e) {
        return word(1, encode({ message: e.message, code: 3 }));
      }
    },
    log(level, mp, ml, fp, fl) {
      st.logs.push({ level, msg: text(mp, ml), fields: fl ? decode(bytes(fp, fl)) : null });
      return 0;
    },
    match_broadcast(op, dp, dl, tp, tl, sp, sl, flags) {
      st.sent.push({ op: Number(op), data: text(dp, dl), to: tl ? decode(bytes(tp, tl)) : "all",
        sender: sl ? decode(bytes(sp, sl)) : null, flags });
      return 0n;
    },
    match_kick(p, n) { st.sent.push({ kick: decode(bytes(p, n)) }); return 0n; },
    match_label_update(p, n) { st.sent.push({ label: text(p, n) }); return 0n; },
  };
  const instance = new WebAssembly.Instance(module, { arbiter_v1: host });
  st.memory = instance.exports.memory;
  const ex = instance.exports;
  if (ex._initialize) ex._initialize();
  if (ex.arbiter_abi_version() !== 1) throw new Error("ABI version " + ex.arbiter_abi_version());

  /** Calls export name with input (a value, or raw bytes); returns {status, value}. */
  st.call = (name, input) => {
    const b = input instanceof Uint8Array ? input : encode(input);
    let p = 0;
    if (b.length) {
      p = ex.arbiter_alloc(b.length);
      if (p === 0) throw new Error("arbiter_alloc failed");
      new Uint8Array(st.memory.buffer, p, b.length).set(b);
    }
    const w = ex["arbiter_" + name](p, b.length);
    st.pending = null;
    const rp = Number(w >> 32n) >>> 0, rl = Number(w & 0xffffffffn);
    if (rl === 0) return { status: 0, value: null, empty: true };
    const r = bytes(rp, rl);
    return { status: r[0], value: r.length > 1 ? decode(r.subarray(1)) : null };
  };
  return st;
}
