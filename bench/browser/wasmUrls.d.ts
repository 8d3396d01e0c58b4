/**
 * Vite `?url` imports of the tfjs wasm binaries (src/workers/wasmPaths.ts), for the bench
 * page compiled under tsconfig.node.json (which has no vite/client types).
 */
declare module '*.wasm?url' {
  const url: string;
  export default url;
}
