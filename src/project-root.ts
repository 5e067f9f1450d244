import { fileURLToPath } from 'node:url';

/**
 * The repository's root folder (intents/, grammars/, public/ are there), the same from the
 * TypeScript sources (src/, one level down) and from the build (dist/src/, two levels down).
 */
export const PROJECT_ROOT = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../' : '../../', import.meta.url));
