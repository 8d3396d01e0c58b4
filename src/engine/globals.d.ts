/**
 * The few globals that every engine host (browser page, dedicated worker, Node >= 20)
 * provides. The engine compiles against ES2023 plus these only, so that it cannot
 * reach for the DOM, worker globals or Node APIs by accident.
 * (Only used by tsconfig.engine.json; the other projects get them from DOM/WebWorker/node libs.)
 */
declare const console: {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
};
declare const performance: { now(): number };
declare function setTimeout(handler: (...args: unknown[]) => void, timeout?: number): unknown;
declare function clearTimeout(id: unknown): void;
declare function queueMicrotask(callback: () => void): void;
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
declare const crypto: { getRandomValues<T extends ArrayBufferView>(array: T): T };
