/**
 * What a file is, from its first bytes (names can lie, and a browser or CLI user can pick any
 * file). Used before any format is parsed.
 *
 *  - 'safetensors': an 8-byte little-endian header length N with 8 + N within the file, then '{'.
 *    (Checked before JSON: a header length whose low byte is 0x7B starts with '{' too.)
 *  - 'json': first non-blank byte (after an optional UTF-8 BOM) is '{' or '['.
 *  - 'pytorch-zip': a zip archive ("PK\x03\x04"), what torch.save writes since PyTorch 1.6.
 *  - 'pickle': a pickle stream (0x80, protocol 2–5), the legacy torch.save format.
 *  - 'unknown': anything else.
 */
export type FileKind = 'safetensors' | 'json' | 'pytorch-zip' | 'pickle' | 'unknown';

export function sniffFile(bytes: Uint8Array): FileKind {
  if (bytes.length >= 10) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = view.getBigUint64(0, true);
    if (n >= 2n && n <= BigInt(bytes.length - 8) && bytes[8] === 0x7b) return 'safetensors';
  }
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'pytorch-zip';
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pickle';
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (bytes[i] === 0x7b || bytes[i] === 0x5b) return 'json';
  return 'unknown';
}

/** What to tell someone who gave a PyTorch checkpoint (.pt / .pth / .bin from torch.save). */
export const PYTORCH_CHECKPOINT_ADVICE =
  'is a PyTorch checkpoint (torch.save: zip/pickle), which the lab does not read (unpickling can run code). ' +
  'Save the state_dict as safetensors instead: `from safetensors.torch import save_file; save_file(model.state_dict(), "model.safetensors")`';
