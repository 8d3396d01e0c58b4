/** Standard base64 (RFC 4648, with padding), pure JS so the engine needs neither Buffer nor atob. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Bytes to base64 text. */
export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i], b1 = bytes[i + 1] ?? 0, b2 = bytes[i + 2] ?? 0;
    const v = (b0 << 16) | (b1 << 8) | b2;
    out += ALPHABET[(v >> 18) & 63] + ALPHABET[(v >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? ALPHABET[v & 63] : '=';
  }
  return out;
}

/** Base64 text to bytes; throws on characters outside the alphabet or a bad length. */
export function base64ToBytes(text: string): Uint8Array {
  const s = text.replace(/\s+/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Error('Invalid base64 data.');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const c = s[i + j];
      v = (v << 6) | (c === '=' ? 0 : ALPHABET.indexOf(c));
    }
    if (o < out.length) out[o++] = (v >> 16) & 255;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}
