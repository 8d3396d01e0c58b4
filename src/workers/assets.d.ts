/** Vite asset imports used by the worker (`?url` gives the hashed URL of the emitted file). */
declare module '*?url' {
  const url: string;
  export default url;
}
