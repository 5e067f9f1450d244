#!/usr/bin/env node
// The `holomesh` command runs the compiled JavaScript in dist/ (built by `npm install`, and
// rebuilt here first when a TypeScript source changed since).
import { ensureBuilt } from '../scripts/build.mjs';

ensureBuilt();
await import('../dist/src/cli/index.js');
