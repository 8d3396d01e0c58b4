/** Turns anything thrown into an Error with a readable message (comlink re-throws it in the page). */
export function asError(e: unknown, context: string): Error {
  const msg = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
  return new Error(context ? `${context}: ${msg}` : msg);
}
