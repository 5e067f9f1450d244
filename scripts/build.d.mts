/** True when dist/ is missing or older than a TypeScript source. */
export function isBuildStale(): boolean;
/** Compiles src/ and migrations/ into dist/. @throws Error when typescript is missing or tsc fails. */
export function build(): void;
/** Builds when stale; without typescript an existing build is used. @throws Error when there is none. */
export function ensureBuilt(options?: { log?: (line: string) => void }): void;
