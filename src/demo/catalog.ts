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

// --- community demo data: groups, reviews, preferences and past sales ---

export interface DemoGroup {
  readonly name: string;
  readonly description: string;
  /** Members by username; the first creates the group. */
  readonly members: readonly string[];
  /** Oldest first; `daysAgo` places them in the past. */
  readonly posts: readonly { readonly author: string; readonly text: string; readonly daysAgo: number }[];
}

export const DEMO_GROUPS: readonly DemoGroup[] = [
  {
    name: 'Neon Nights',
    description: 'Neon, cyberpunk and glitch designers and their collectors.',
    members: ['nova', 'kenji', 'vega'],
    posts: [
      { author: 'nova', text: 'Welcome to Neon Nights! Share your brightest work here.', daysAgo: 12 },
      { author: 'kenji', text: 'Quantum Koi has only a few editions left.', daysAgo: 5 },
      { author: 'vega', text: 'Working on a glitch series for next month.', daysAgo: 2 },
    ],
  },
  {
    name: 'Calm Makers',
    description: 'Quiet, natural and minimal designs.',
    members: ['aria', 'lumen', 'mira'],
    posts: [
      { author: 'aria', text: 'New origami set coming Friday.', daysAgo: 6 },
      { author: 'mira', text: 'Anyone else working with dark florals this season?', daysAgo: 3 },
    ],
  },
];

export const DEMO_REVIEWS: readonly { readonly client: string; readonly designer: string; readonly rating: number; readonly text: string }[] = [
  { client: 'sam', designer: 'Nova', rating: 5, text: 'Her dragons are stunning.' },
  { client: 'jordan', designer: 'Nova', rating: 4, text: 'Bright and bold, great colours.' },
  { client: 'riley', designer: 'Aria Chen', rating: 5, text: 'The paper cranes are lovely.' },
  { client: 'casey', designer: 'Kenji Sato', rating: 4, text: 'Calm and clever fish.' },
  { client: 'jordan', designer: 'Vega Flux', rating: 3, text: 'Solar Flare is loud, in a good way.' },
];

/** Tags alex said they like. */
export const DEMO_PREFERENCES: Readonly<Record<string, readonly string[]>> = { alex: ['neon', 'cyberpunk'] };

/**
 * Other collectors whose past purchases fill the dashboard, earnings and recommendations on a
 * first start (alex and sam keep their own balances and empty collections).
 */
export const DEMO_COLLECTORS: readonly { readonly username: string; readonly credits: number }[] = [
  { username: 'jordan', credits: 1_000 },
  { username: 'riley', credits: 1_000 },
  { username: 'casey', credits: 1_000 },
];

/**
 * 30 days of past sales: `daysAgo`, buyer and chip. Spread over the catalog so every designer and
 * collaboration earned something; bought through the real purchase path, so payouts sum.
 */
export const DEMO_SALES: readonly { readonly daysAgo: number; readonly buyer: string; readonly chip: string }[] = [
  { daysAgo: 29, buyer: 'jordan', chip: 'Neon Dragon' },
  { daysAgo: 27, buyer: 'riley', chip: 'Paper Crane' },
  { daysAgo: 26, buyer: 'casey', chip: 'Quantum Koi' },
  { daysAgo: 24, buyer: 'jordan', chip: 'Starlight Koi' },
  { daysAgo: 22, buyer: 'riley', chip: 'Crystal Wave' },
  { daysAgo: 20, buyer: 'casey', chip: 'Neon Dragon' },
  { daysAgo: 18, buyer: 'jordan', chip: 'Solar Flare' },
  { daysAgo: 16, buyer: 'riley', chip: 'Aurora Veil' },
  { daysAgo: 14, buyer: 'casey', chip: 'Glitch Garden' },
  { daysAgo: 12, buyer: 'jordan', chip: 'Midnight Bloom' },
  { daysAgo: 10, buyer: 'riley', chip: 'Neon Dragon' },
  { daysAgo: 9, buyer: 'casey', chip: 'Starlight Koi' },
  { daysAgo: 7, buyer: 'jordan', chip: 'Glitch Garden' },
  { daysAgo: 6, buyer: 'riley', chip: 'Paper Crane' },
  { daysAgo: 5, buyer: 'casey', chip: 'Crystal Wave' },
  { daysAgo: 4, buyer: 'jordan', chip: 'Quantum Koi' },
  { daysAgo: 3, buyer: 'riley', chip: 'Solar Flare' },
  { daysAgo: 2, buyer: 'casey', chip: 'Midnight Bloom' },
  { daysAgo: 1, buyer: 'jordan', chip: 'Aurora Veil' },
  { daysAgo: 1, buyer: 'riley', chip: 'Starlight Koi' },
];
// --- end community demo data ---

/** The live lists of the demo catalog, as the intent engine and grammars see them. */
export const DEMO_LISTS = {
  designer: DEMO_DESIGNERS.map((d) => d.displayName),
  designer_name: DEMO_DESIGNERS.map((d) => d.displayName),
  chip: DEMO_CHIPS.map((c) => c.name),
  chip_word: chipNameWords(DEMO_CHIPS.map((c) => c.name)),
  tag: [...new Set(DEMO_CHIPS.flatMap((c) => c.tags))].sort(),
  group: DEMO_GROUPS.map((g) => g.name),
} as const;
