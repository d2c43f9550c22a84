// A small TextMate tokenizer for tests: enough of the TextMate rule semantics
// (match, begin/end, captures, include, contentName, multi-line state) to check what
// scopes the grammar assigns, with JavaScript regular expressions standing in for
// Oniguruma. The grammar avoids Oniguruma-only syntax so that this is faithful. Like
// vscode-textmate, each line is matched with a trailing "\n", and `^`/`$` are line
// anchors (Oniguruma's Ruby syntax), i.e. the JavaScript `m` flag.

export interface Capture {
  readonly name?: string;
}
export interface RawRule {
  readonly name?: string;
  readonly contentName?: string;
  readonly match?: string;
  readonly begin?: string;
  readonly end?: string;
  readonly include?: string;
  readonly captures?: Readonly<Record<string, Capture>>;
  readonly beginCaptures?: Readonly<Record<string, Capture>>;
  readonly endCaptures?: Readonly<Record<string, Capture>>;
  readonly patterns?: readonly RawRule[];
  readonly repository?: Readonly<Record<string, RawRule>>;
}
export interface RawGrammar extends RawRule {
  readonly scopeName: string;
  readonly patterns: readonly RawRule[];
  readonly repository?: Readonly<Record<string, RawRule>>;
}

export interface Token {
  readonly text: string;
  readonly scopes: readonly string[];
}

interface Frame {
  readonly rule: RawRule;
  readonly end: RegExp;
  readonly patterns: readonly RawRule[];
}

/** Every rule object in the grammar (recursively), with a JSON-pointer-ish path. */
export function* walkRules(rule: RawRule, where = '$'): Generator<[string, RawRule]> {
  yield [where, rule];
  for (const [i, r] of (rule.patterns ?? []).entries()) yield* walkRules(r, `${where}.patterns[${i}]`);
  for (const [k, r] of Object.entries(rule.repository ?? {})) yield* walkRules(r, `${where}.repository.${k}`);
}

export class Tokenizer {
  private readonly regexCache = new Map<string, RegExp>();
  private readonly flatCache = new Map<readonly RawRule[], readonly RawRule[]>();

  constructor(private readonly grammar: RawGrammar) {}

  private re(src: string): RegExp {
    let r = this.regexCache.get(src);
    if (!r) {
      r = new RegExp(src, 'dgm');
      this.regexCache.set(src, r);
    }
    return r;
  }

  /** Expands `include`s into the list of concrete (match or begin/end) rules. */
  private flatten(patterns: readonly RawRule[], seen = new Set<RawRule>()): readonly RawRule[] {
    const cached = this.flatCache.get(patterns);
    if (cached) return cached;
    const out: RawRule[] = [];
    for (const p of patterns) {
      if (p.include !== undefined) {
        let target: RawRule | undefined;
        if (p.include === '$self' || p.include === '$base') target = { patterns: this.grammar.patterns };
        else if (p.include.startsWith('#')) target = this.grammar.repository?.[p.include.slice(1)];
        if (!target) throw new Error(`unresolved include ${p.include}`);
        if (seen.has(target)) continue;
        seen.add(target);
        out.push(...this.flatten(target.match || target.begin ? [target] : (target.patterns ?? []), seen));
        seen.delete(target);
      } else if (p.match !== undefined || p.begin !== undefined) {
        out.push(p);
      } else if (p.patterns) {
        out.push(...this.flatten(p.patterns, seen));
      }
    }
    this.flatCache.set(patterns, out);
    return out;
  }

  /** Tokenizes lines, carrying begin/end state from one line to the next. */
  tokenize(text: string): Token[][] {
    const stack: Frame[] = [];
    return text.split('\n').map((line) => this.tokenizeLine(line, stack));
  }

  private tokenizeLine(line: string, stack: Frame[]): Token[] {
    const subject = line + '\n';
    const charScopes: string[][] = Array.from({ length: line.length }, () => []);
    const frameScopes = (withContent: boolean): string[] => {
      const s = [this.grammar.scopeName];
      stack.forEach((f, i) => {
        if (f.rule.name) s.push(f.rule.name);
        if (f.rule.contentName && (withContent || i < stack.length - 1)) s.push(f.rule.contentName);
      });
      return s;
    };
    const fill = (from: number, to: number, scopes: readonly string[]): void => {
      for (let i = from; i < Math.min(to, line.length); i++) charScopes[i] = [...scopes];
    };
    const applyCaptures = (m: RegExpExecArray, caps: Readonly<Record<string, Capture>> | undefined): void => {
      if (!caps || !m.indices) return;
      for (const [k, cap] of Object.entries(caps).sort((a, b) => Number(a[0]) - Number(b[0]))) {
        const range = m.indices[Number(k)];
        if (!range || !cap.name) continue;
        for (let i = range[0]; i < Math.min(range[1], line.length); i++) charScopes[i]!.push(cap.name);
      }
    };

    let pos = 0;
    for (let guard = 0; guard < 10_000; guard++) {
      const top = stack[stack.length - 1];
      const candidates: { rule: RawRule; re: RegExp; isEnd: boolean }[] = [];
      if (top) candidates.push({ rule: top.rule, re: top.end, isEnd: true });
      for (const r of top ? top.patterns : this.flatten(this.grammar.patterns)) {
        candidates.push({ rule: r, re: this.re((r.match ?? r.begin)!), isEnd: false });
      }
      let best: { rule: RawRule; m: RegExpExecArray; isEnd: boolean } | undefined;
      for (const c of candidates) {
        c.re.lastIndex = pos;
        const m = c.re.exec(subject);
        if (m && (!best || m.index < best.m.index)) best = { rule: c.rule, m, isEnd: c.isEnd };
      }
      if (!best || (best.m.index >= line.length && !best.isEnd && best.rule.begin === undefined)) break;
      const { rule, m, isEnd } = best;
      const start = m.index;
      const end = start + m[0].length;
      fill(pos, start, frameScopes(true));
      if (isEnd) {
        fill(start, end, frameScopes(false));
        applyCaptures(m, rule.endCaptures ?? rule.captures);
        stack.pop();
      } else if (rule.begin !== undefined) {
        const base = frameScopes(true);
        fill(start, end, rule.name ? [...base, rule.name] : base);
        applyCaptures(m, rule.beginCaptures ?? rule.captures);
        stack.push({ rule, end: this.re(rule.end ?? '\\uFFFF'), patterns: this.flatten(rule.patterns ?? []) });
      } else {
        const base = frameScopes(true);
        fill(start, end, rule.name ? [...base, rule.name] : base);
        applyCaptures(m, rule.captures);
      }
      pos = end;
      if (end === start && !isEnd && rule.begin === undefined) {
        // zero-width match that changes nothing: step over one character
        if (pos < line.length) fill(pos, pos + 1, frameScopes(true));
        pos++;
      }
      if (pos >= subject.length) break;
    }
    if (pos < line.length) fill(pos, line.length, frameScopes(true));

    const tokens: Token[] = [];
    for (let i = 0; i < line.length; ) {
      let j = i + 1;
      const key = charScopes[i]!.join(' ');
      while (j < line.length && charScopes[j]!.join(' ') === key) j++;
      tokens.push({ text: line.slice(i, j), scopes: charScopes[i]! });
      i = j;
    }
    return tokens;
  }
}
