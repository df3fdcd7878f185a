// Exclude patterns for wpm.path: a pattern without '/' matches a name at any depth ('*.o');
// one with '/' matches the path from the root ('docs/*.md'); a trailing '/' matches directories.

function toRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Returns a filter that keeps an entry unless a pattern excludes it. */
export function globFilter(patterns: string[]): (rel: string, isDir: boolean) => boolean {
  const rules = patterns.map((p) => {
    const dirOnly = p.endsWith('/');
    const body = dirOnly ? p.slice(0, -1) : p;
    const anchored = body.includes('/');
    return { re: toRegExp(body.replace(/^\//, '')), dirOnly, anchored };
  });
  return (rel, isDir) => {
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    for (const r of rules) {
      if (r.dirOnly && !isDir) continue;
      if (r.re.test(r.anchored ? rel : base)) return false;
    }
    return true;
  };
}
