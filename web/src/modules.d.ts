// Modules the build (scripts/build-web.mjs) makes up.
declare module 'msgrfw:worker-source' {
  /** The compiler worker's script. */
  const source: string;
  export default source;
}

declare module 'msgrfw:examples' {
  /** examples/*.msgr by file name, as they are in the repository. */
  const examples: Record<string, string>;
  export default examples;
}
