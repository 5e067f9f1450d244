import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DemoAccount {
  readonly username: string;
  readonly role: string;
  readonly password: string;
}

/** Where the demo accounts' generated passwords are kept: readable only by the service's user. */
export function demoAccountsFile(dataDir: string): string {
  return join(dataDir, 'demo-accounts.txt');
}

const HEADER = [
  '# HoloMesh Voice demo accounts: username, role, password (generated when the demo seed created them).',
  '# `holomesh users passwd` takes an account off this list. Delete this file once you no longer need it.',
];

/**
 * Adds accounts the demo seed just created to `<dataDir>/demo-accounts.txt` (mode 0600, in a
 * 0700 folder), so their passwords can be found again after the start that printed them.
 * @returns the file's path.
 */
export async function saveDemoAccounts(dataDir: string, accounts: readonly DemoAccount[]): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const kept = (await readDemoAccounts(dataDir)).filter((a) => !accounts.some((n) => n.username === a.username));
  return writeDemoAccounts(dataDir, [...kept, ...accounts]);
}

/**
 * Takes `username` off the file once its password was set anew, so that the file never offers a
 * password that no longer signs in. @returns whether the file listed it.
 */
export async function forgetDemoAccount(dataDir: string, username: string): Promise<boolean> {
  const accounts = await readDemoAccounts(dataDir);
  const kept = accounts.filter((a) => a.username !== username);
  if (kept.length === accounts.length) return false;
  await writeDemoAccounts(dataDir, kept);
  return true;
}

async function writeDemoAccounts(dataDir: string, accounts: readonly DemoAccount[]): Promise<string> {
  const file = demoAccountsFile(dataDir);
  const lines = accounts.map((a) => `${a.username.padEnd(10)} ${a.role.padEnd(9)} ${a.password}`);
  await writeFile(file, `${[...HEADER, ...lines].join('\n')}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // an existing file keeps its mode through writeFile
  return file;
}

/** The accounts in the file, or none when there is no file. */
export async function readDemoAccounts(dataDir: string): Promise<DemoAccount[]> {
  let text: string;
  try {
    text = await readFile(demoAccountsFile(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text.split('\n').filter((line) => line.trim() && !line.startsWith('#')).flatMap((line) => {
    const [username, role, password] = line.trim().split(/\s+/);
    return username && role && password ? [{ username, role, password }] : [];
  });
}
