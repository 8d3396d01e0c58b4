/**
 * Guarded JSON parsing for untrusted files: a size limit, a nesting-depth limit checked by a
 * linear scan *before* JSON.parse (so a deeply nested file cannot exhaust the stack), and
 * specific messages. Errors are thrown through the `fail` callback so callers attach the file.
 */
export interface JsonGuards {
  readonly maxBytes: number;
  readonly maxDepth: number;
}

/** The deepest array/object nesting in a JSON text (strings skipped), stopping early past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0, max = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * Parses JSON text with size and depth limits. `what` names the text in messages
 * (e.g. "the safetensors header"); `fail` throws the caller's error type.
 */
export function parseGuardedJson(text: string, guards: JsonGuards, what: string, fail: (message: string) => never): unknown {
  if (text.length > guards.maxBytes) fail(`${what} is too large (${text.length} bytes, limit ${guards.maxBytes})`);
  const depth = jsonDepth(text, guards.maxDepth);
  if (depth > guards.maxDepth) fail(`${what} is nested too deeply (more than ${guards.maxDepth} levels)`);
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(`${what} is not valid JSON (${(e as Error).message})`);
  }
}

/** Decodes UTF-8 strictly; invalid bytes call `fail`. */
export function decodeUtf8(bytes: Uint8Array, what: string, fail: (message: string) => never): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail(`${what} is not valid UTF-8 text`);
  }
}

/**
 * The first key that appears twice in the top-level object of a JSON text, or null. JSON.parse
 * keeps the last of duplicate keys silently, so one file could show two readers two different
 * values; readers of untrusted files refuse them instead (as the reference safetensors reader
 * does). Linear scan; the text is assumed to parse (call after parseGuardedJson).
 */
export function duplicateTopLevelKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      if (depth !== 1) continue;
      // A string at depth 1 is a key when the next non-blank character is ':'.
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] !== ':') continue;
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (seen.has(key)) return key;
      seen.add(key);
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return null;
}
