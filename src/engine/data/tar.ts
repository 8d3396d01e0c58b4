/**
 * A small reader for POSIX ustar / GNU tar archives (enough for cifar-10-binary.tar.gz):
 * regular files and directories, ustar name prefixes, GNU long names ('L') and pax
 * 'path'/'size' records ('x'); other entry types are listed with their type flag.
 * Data are views into the input (no copies). Header checksums are verified.
 */
export interface TarEntry {
  /** Full path inside the archive, e.g. `cifar-10-batches-bin/test_batch.bin`. */
  readonly name: string;
  /** '0' regular file, '5' directory, '2' symlink... (NUL in old archives is reported as '0'). */
  readonly type: string;
  readonly size: number;
  readonly data: Uint8Array;
}

const BLOCK = 512;

/** Lists the entries of an uncompressed tar archive. Throws on a corrupt or truncated archive. */
export function readTar(bytes: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  let paxSize: number | null = null;
  while (at + BLOCK <= bytes.length) {
    const header = bytes.subarray(at, at + BLOCK);
    if (isZeroBlock(header)) break;
    verifyChecksum(header, at);
    const typeByte = header[156];
    const type = typeByte === 0 ? '0' : String.fromCharCode(typeByte);
    const size = paxSize ?? parseNumber(header.subarray(124, 136), at);
    const dataStart = at + BLOCK;
    if (dataStart + size > bytes.length) {
      throw new Error(`tar: entry at offset ${at} needs ${size} bytes of data but the archive ends at ${bytes.length} (truncated?)`);
    }
    const data = bytes.subarray(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') { longName = cString(data); continue; }
    if (type === 'x') { const pax = parsePax(data); paxPath = pax.get('path') ?? null; paxSize = pax.has('size') ? Number(pax.get('size')) : null; continue; }
    if (type === 'g') continue; // global pax header: nothing we use
    let name = cString(header.subarray(0, 100));
    const magic = cString(header.subarray(257, 263));
    if (magic === 'ustar') {
      const prefix = cString(header.subarray(345, 500));
      if (prefix) name = `${prefix}/${name}`;
    }
    name = paxPath ?? longName ?? name;
    longName = null; paxPath = null; paxSize = null;
    entries.push({ name, type, size, data });
  }
  return entries;
}

/** Regular files of an archive by path (directories and links left out). */
export function tarFiles(bytes: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const e of readTar(bytes)) if (e.type === '0' || e.type === '7') files.set(e.name, e.data);
  return files;
}

function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function cString(b: Uint8Array): string {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  return new TextDecoder().decode(b.subarray(0, end));
}

/** Octal (space/NUL terminated) or GNU base-256 (high bit set) numeric field. */
function parseNumber(field: Uint8Array, at: number): number {
  if (field[0] & 0x80) {
    let v = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i];
    return v;
  }
  const s = cString(field).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`tar: bad numeric field "${s}" in header at offset ${at}`);
  return parseInt(s, 8);
}

function verifyChecksum(header: Uint8Array, at: number): void {
  const stored = parseNumber(header.subarray(148, 156), at);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  if (sum !== stored) throw new Error(`tar: header checksum mismatch at offset ${at} (not a tar archive, or corrupt)`);
}

/** pax records: "LEN key=value\n" repeated. */
function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const text = new TextDecoder().decode(data);
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    const len = parseInt(text.slice(i, sp), 10);
    if (!(len > 0)) break;
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}
