/**
 * The demo catalog seeded on the first start of an empty database (and by `holomesh seed`).
 * Examples, docs and tests rely on these exact names.
 */
import { chipNameWords } from '../marketplace/catalog-lists.js';

export interface DemoDesigner {
  readonly username: string;
  readonly displayName: string;
  readonly bio: string;
}

export interface DemoChip {
  readonly name: string;
  readonly priceCredits: number;
  /** null = open edition. */
  readonly editionSize: number | null;
  readonly tags: readonly string[];
  /** Designer display name → share in basis points (sums to 10 000). */
  readonly shares: Readonly<Record<string, number>>;
}

export interface DemoClient {
  readonly username: string;
  readonly credits: number;
  readonly favoriteDesigner: string | null;
  readonly subscribedTo: readonly string[];
}

export const DEMO_DESIGNERS: readonly DemoDesigner[] = [
  { username: 'nova', displayName: 'Nova', bio: 'Neon creatures from the edge of the grid.' },
  { username: 'aria', displayName: 'Aria Chen', bio: 'Crystal and paper, light and water.' },
  { username: 'kenji', displayName: 'Kenji Sato', bio: 'Quantum fish and calm machines.' },
  { username: 'lumen', displayName: 'Lumen Labs', bio: 'Light, nature and open editions.' },
  { username: 'vega', displayName: 'Vega Flux', bio: 'Space, fire and glitches.' },
  { username: 'mira', displayName: 'Mira Okafor', bio: 'Dark florals.' },
];

export const DEMO_CHIPS: readonly DemoChip[] = [
  { name: 'Neon Dragon', priceCredits: 25, editionSize: 100, tags: ['neon', 'dragon', 'cyberpunk'], shares: { Nova: 10_000 } },
  { name: 'Starlight Koi', priceCredits: 40, editionSize: 50, tags: ['neon', 'fish', 'calm'], shares: { Nova: 7_000, 'Kenji Sato': 3_000 } },
  { name: 'Crystal Wave', priceCredits: 30, editionSize: 200, tags: ['crystal', 'ocean'], shares: { 'Aria Chen': 10_000 } },
  { name: 'Paper Crane', priceCredits: 15, editionSize: 500, tags: ['origami', 'minimal'], shares: { 'Aria Chen': 10_000 } },
  { name: 'Quantum Koi', priceCredits: 60, editionSize: 10, tags: ['cyberpunk', 'fish'], shares: { 'Kenji Sato': 10_000 } },
  { name: 'Midnight Bloom', priceCredits: 35, editionSize: 100, tags: ['floral', 'dark'], shares: { 'Mira Okafor': 10_000 } },
  { name: 'Solar Flare', priceCredits: 50, editionSize: 75, tags: ['space', 'fire'], shares: { 'Vega Flux': 10_000 } },
  { name: 'Aurora Veil', priceCredits: 20, editionSize: null, tags: ['light', 'nature'], shares: { 'Lumen Labs': 10_000 } },
  { name: 'Glitch Garden', priceCredits: 45, editionSize: 60, tags: ['glitch', 'floral'], shares: { 'Lumen Labs': 5_000, 'Vega Flux': 5_000 } },
];

export const DEMO_CLIENTS: readonly DemoClient[] = [
  { username: 'alex', credits: 500, favoriteDesigner: 'Nova', subscribedTo: ['Aria Chen'] },
  { username: 'sam', credits: 100, favoriteDesigner: null, subscribedTo: [] },
];

export const DEMO_ADMIN = { username: 'admin' } as const;

/** The live lists of the demo catalog, as the intent engine and grammars see them. */
export const DEMO_LISTS = {
  designer: DEMO_DESIGNERS.map((d) => d.displayName),
  designer_name: DEMO_DESIGNERS.map((d) => d.displayName),
  chip: DEMO_CHIPS.map((c) => c.name),
  chip_word: chipNameWords(DEMO_CHIPS.map((c) => c.name)),
  tag: [...new Set(DEMO_CHIPS.flatMap((c) => c.tags))].sort(),
} as const;
