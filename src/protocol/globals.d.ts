/**
 * The one host type the protocol names beyond ES2023: an uploaded file's handle (a `File` in the
 * page, passed to the worker unread). Only tsconfig.protocol.json and tsconfig.engine.json (which compiles the protocol files the engine imports) read this declaration; the other
 * projects have the full Blob from their DOM / WebWorker / node libs.
 */
interface Blob {
  readonly size: number;
  readonly type: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}
