import { relative, isAbsolute } from 'node:path';
import { styleText } from 'node:util';
import type { DemoAccount } from './demo/accounts.js';

export interface BannerFacts {
  /** Where the service listens, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The demo accounts this start created, with their passwords (empty on later starts). */
  readonly created: readonly DemoAccount[];
  /** The demo accounts the passwords file lists (on later starts, what the banner names). */
  readonly kept: readonly DemoAccount[];
  /** The passwords file, when there is one. */
  readonly passwordsFile: string | null;
  /** For showing the passwords file relative to where the command ran. */
  readonly cwd: string;
}

/**
 * What a person starting the service on a terminal reads: where the console is, which demo
 * accounts there are and where their passwords are kept (printed only on the start that created
 * them), and what to type next.
 */
export function startBanner(facts: BannerFacts): string {
  const url = browsableUrl(facts.url);
  const file = facts.passwordsFile && shortPath(facts.passwordsFile, facts.cwd);
  const lines = ['', styleText('bold', 'HoloMesh Voice is running'), `  Console    ${url}/`];
  const accounts = facts.created.length > 0 ? facts.created : facts.kept;
  if (facts.created.length > 0) {
    lines.push(`  Demo accounts, created now${file ? ` (passwords kept in ${file}, readable only by you)` : ''}:`);
    for (const a of facts.created) lines.push(`    ${a.username.padEnd(8)} ${a.role.padEnd(9)} ${a.password}`);
  } else if (accounts.length > 0) {
    lines.push(`  Demo accounts  ${byRole(accounts)}`, `             passwords: ${file ? `cat ${file}` : 'not kept'}`);
  }
  const user = accounts.find((a) => a.role === 'client')?.username ?? accounts[0]?.username ?? 'NAME';
  lines.push(
    '  Next',
    `    open ${url}/ and sign in${accounts.length > 0 ? ` as ${user}` : ''}, then hold Talk or type a command`,
    `    TOKEN=$(npx holomesh token --user ${user})     a token for the HTTP API and /v1/voice`,
    `    curl -s ${url}/v1/commands -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"text":"what is my balance"}'`,
    '    npx holomesh --help                           every command',
    '  Ctrl+C stops the service.',
    '',
  );
  return `${lines.join('\n')}\n`;
}

/** A wildcard address cannot be opened in a browser: the local one can. */
function browsableUrl(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//localhost:');
}

function shortPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** `alex, sam (client) · nova, aria (designer) · admin (admin)` */
function byRole(accounts: readonly DemoAccount[]): string {
  const roles = new Map<string, string[]>();
  for (const a of accounts) roles.set(a.role, [...(roles.get(a.role) ?? []), a.username]);
  return [...roles].map(([role, names]) => `${names.join(', ')} (${role})`).join(' · ');
}
