// MD5 of a UTF-8 string, as lowercase hex (RFC 1321). Kazoo's user_auth wants
// md5("username:password"); this is the whole dependency, no CDN.

const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const CONSTANTS = Array.from({ length: 64 }, (_, i) =>
  Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

function rotl(value, count) {
  return (value << count) | (value >>> (32 - count));
}

function padded(bytes) {
  const length = (((bytes.length + 8) >> 6) + 1) << 6;
  const out = new Uint8Array(length);
  out.set(bytes);
  out[bytes.length] = 0x80;
  const bits = bytes.length * 8;
  const view = new DataView(out.buffer);
  view.setUint32(length - 8, bits >>> 0, true);
  view.setUint32(length - 4, Math.floor(bits / 2 ** 32), true);
  return view;
}

function round(i, b, c, d) {
  const quarter = i >> 4;
  if (quarter === 0) return [(b & c) | (~b & d), i];
  if (quarter === 1) return [(d & b) | (~d & c), (5 * i + 1) % 16];
  if (quarter === 2) return [b ^ c ^ d, (3 * i + 5) % 16];
  return [c ^ (b | ~d), (7 * i) % 16];
}

function digestBlock(state, view, offset) {
  let [a, b, c, d] = state;
  for (let i = 0; i < 64; i += 1) {
    const [f, g] = round(i, b, c, d);
    const word = view.getUint32(offset + g * 4, true);
    const sum = (a + f + CONSTANTS[i] + word) >>> 0;
    a = d;
    d = c;
    c = b;
    b = (b + rotl(sum, SHIFTS[(i >> 4) * 4 + (i % 4)])) >>> 0;
  }
  return [state[0] + a, state[1] + b, state[2] + c, state[3] + d].map((x) => x >>> 0);
}

export function md5(text) {
  const view = padded(new TextEncoder().encode(text));
  let state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  for (let offset = 0; offset < view.byteLength; offset += 64) {
    state = digestBlock(state, view, offset);
  }
  const out = new DataView(new ArrayBuffer(16));
  state.forEach((word, i) => out.setUint32(i * 4, word, true));
  return Array.from(new Uint8Array(out.buffer), (x) => x.toString(16).padStart(2, "0")).join("");
}
