// Where npm packages come from on this machine: the user's npm configuration (environment,
// ~/.npmrc, ./.npmrc), read the way npm reads it for registries and tokens. It decides only where
// bytes are downloaded from; what is accepted is decided by the derivation's hash.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface NpmConfig {
  registry: string;
  scoped: Record<string, string>;
  /** `//host/path/:_authToken` entries, by their `//host/path/` prefix. */
  tokens: Record<string, string>;
}

function readNpmrc(file: string, into: NpmConfig): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim().replace(/\$\{([^}]+)\}/g, (_, v: string) => process.env[v] ?? '');
    if (key === 'registry') into.registry = value;
    else if (/^@[^:]+:registry$/.test(key)) into.scoped[key.slice(0, key.indexOf(':'))] = value;
    else if (key.startsWith('//') && key.endsWith(':_authToken')) into.tokens[key.slice(0, -':_authToken'.length)] = value;
  }
}

export function loadNpmConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): NpmConfig {
  const cfg: NpmConfig = { registry: 'https://registry.npmjs.org/', scoped: {}, tokens: {} };
  readNpmrc(env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? path.join(os.homedir(), '.npmrc'), cfg);
  readNpmrc(path.join(cwd, '.npmrc'), cfg);
  const fromEnv = env.npm_config_registry ?? env.NPM_CONFIG_REGISTRY;
  if (fromEnv) cfg.registry = fromEnv;
  return cfg;
}

/** The tarball URL of `pkg@version`, and the Authorization header for it if one is configured. */
export function npmTarball(cfg: NpmConfig, pkg: string, version: string): { url: string; headers: Record<string, string> } {
  const scope = pkg.startsWith('@') ? pkg.slice(0, pkg.indexOf('/')) : undefined;
  let registry = (scope && cfg.scoped[scope]) || cfg.registry;
  if (!registry.endsWith('/')) registry += '/';
  const base = pkg.slice(pkg.lastIndexOf('/') + 1);
  const url = `${registry}${pkg}/-/${base}-${version}.tgz`;
  const headers: Record<string, string> = {};
  const noScheme = url.replace(/^https?:/, '');
  let best = '';
  for (const prefix of Object.keys(cfg.tokens)) {
    if (noScheme.startsWith(prefix) && prefix.length > best.length) best = prefix;
  }
  if (best) headers.authorization = `Bearer ${cfg.tokens[best]}`;
  return { url, headers };
}
