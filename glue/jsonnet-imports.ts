// The imports a Jsonnet file makes, found by lexing it: comments and strings are skipped as the
// language defines them, so an import named in a comment is no import, and one written with any
// kind of string literal (quoted, verbatim @'…', text block |||) is found. Jsonnet allows only a
// literal after `import`, so this is every file an evaluation of the file can read.

export interface ImportSite {
  keyword: 'import' | 'importstr' | 'importbin';
  /** The path as the literal spells it, escapes resolved. */
  path: string;
  /** 1-based line of the keyword. */
  line: number;
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** A string literal at `i`: its value and where it ends, or undefined if there is none. */
function stringAt(text: string, i: number): { value: string; end: number } | undefined {
  const c = text[i];
  if (c === '"' || c === "'") {
    let value = '';
    for (let k = i + 1; k < text.length; k++) {
      const ch = text[k]!;
      if (ch === c) return { value, end: k + 1 };
      if (ch !== '\\') {
        value += ch;
        continue;
      }
      const e = text[++k];
      if (e === 'u') {
        value += String.fromCharCode(parseInt(text.slice(k + 1, k + 5), 16));
        k += 4;
      } else if (e !== undefined) value += SIMPLE_ESCAPES[e] ?? e;
    }
    return { value, end: text.length };
  }
  if (c === '@' && (text[i + 1] === '"' || text[i + 1] === "'")) {
    const q = text[i + 1]!;
    let value = '';
    for (let k = i + 2; k < text.length; k++) {
      if (text[k] !== q) value += text[k];
      else if (text[k + 1] === q) value += text[k++];
      else return { value, end: k + 1 };
    }
    return { value, end: text.length };
  }
  if (text.startsWith('|||', i)) return textBlockAt(text, i);
  return undefined;
}

/** `|||` (or `|||-`), a newline, lines sharing the first one's indentation, then `|||`. */
function textBlockAt(text: string, i: number): { value: string; end: number } {
  let k = i + 3;
  const chomp = text[k] === '-';
  if (chomp) k++;
  k = text.indexOf('\n', k);
  if (k < 0) return { value: '', end: text.length };
  const lines = text.slice(k + 1).split('\n');
  const indent = /^[ \t]*/.exec(lines[0]!)![0];
  const kept: string[] = [];
  let offset = k + 1;
  for (const line of lines) {
    if (indent !== '' && line.startsWith(indent)) kept.push(line.slice(indent.length));
    else if (line.trim() === '' && !line.trimStart().startsWith('|||')) kept.push('');
    else {
      const close = text.indexOf('|||', offset);
      const value = kept.join('\n') + (chomp ? '' : '\n');
      return { value, end: close < 0 ? text.length : close + 3 };
    }
    offset += line.length + 1;
  }
  return { value: kept.join('\n'), end: text.length };
}

/**
 * Comments, string literals and the import keywords, leftmost first: a comment or a string is
 * consumed whole, so what it holds is never taken for a keyword. A text block is measured by
 * textBlockAt (its end depends on indentation).
 */
const TOKEN = /\/\/[^\n]*|#[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:[^"\\]|\\[\s\S])*"?|'(?:[^'\\]|\\[\s\S])*'?|@"(?:[^"]|"")*"?|@'(?:[^']|'')*'?|\|\|\||\bimport(?:str|bin)?\b/g;
const SPACE_OR_COMMENT = /(?:\s+|\/\/[^\n]*|#[^\n]*|\/\*[\s\S]*?(?:\*\/|$))*/y;

export function findImports(text: string): ImportSite[] {
  const out: ImportSite[] = [];
  let line = 1;
  let counted = 0;
  const lineAt = (index: number) => {
    for (let k = counted; k < index; k++) if (text.charCodeAt(k) === 10) line++;
    counted = index;
    return line;
  };
  const token = new RegExp(TOKEN.source, 'g');
  for (let m = token.exec(text); m !== null; m = token.exec(text)) {
    const t = m[0];
    if (t === '|||') {
      token.lastIndex = textBlockAt(text, m.index).end;
      continue;
    }
    if (t !== 'import' && t !== 'importstr' && t !== 'importbin') continue;
    const space = new RegExp(SPACE_OR_COMMENT.source, 'y');
    space.lastIndex = token.lastIndex;
    space.exec(text);
    const literal = stringAt(text, space.lastIndex);
    if (literal === undefined) continue;
    out.push({ keyword: t, path: literal.value, line: lineAt(m.index) });
    token.lastIndex = literal.end;
  }
  return out;
}
