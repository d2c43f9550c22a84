// The mips64-asm TextMate grammar and language configuration: validity of the JSON,
// every regex compiles as a JavaScript RegExp, and the scopes given to typical lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RawGrammar, RawRule, Token, Tokenizer, walkRules } from './textmate';

const root = path.resolve(__dirname, '..', '..', '..');
const grammarPath = path.join(root, 'syntaxes', 'mips64-asm.tmLanguage.json');
const grammar = JSON.parse(readFileSync(grammarPath, 'utf8')) as RawGrammar;
const tokenizer = new Tokenizer(grammar);
const SUFFIX = '.mips64-asm';

/** Tokenizes `text` (one or more lines) and returns the tokens of line `lineNo`. */
function tokens(text: string, lineNo = 0): Token[] {
  return tokenizer.tokenize(text)[lineNo]!;
}

const WORD = /[\w.$]/;

/**
 * The scopes shared by every character of the first occurrence of `needle` in the line
 * that is not part of a longer word (so "0" does not match inside "0x1F").
 */
function scopesOf(line: Token[], needle: string): readonly string[] {
  const chars: (readonly string[])[] = line.flatMap((t) => Array.from(t.text, () => t.scopes));
  const text = line.map((t) => t.text).join('');
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    const before = text[at - 1];
    const after = text[at + needle.length];
    if (WORD.test(needle[0]!) && before !== undefined && WORD.test(before)) continue;
    if (WORD.test(needle[needle.length - 1]!) && after !== undefined && WORD.test(after)) continue;
    const first = chars[at]!;
    return first.filter((s) => chars.slice(at, at + needle.length).every((c) => c.includes(s)));
  }
  assert.fail(`no "${needle}" in ${JSON.stringify(text)}`);
}

function assertScope(text: string, token: string, scope: string, lineNo = 0): void {
  const scopes = scopesOf(tokens(text, lineNo), token);
  assert.ok(
    scopes.some((s) => s === scope + SUFFIX || s.startsWith(scope + '.')),
    `"${token}" in ${JSON.stringify(text)}: expected ${scope}, got ${JSON.stringify(scopes)}`,
  );
}

function assertNoScope(text: string, token: string, scope: string, lineNo = 0): void {
  const scopes = scopesOf(tokens(text, lineNo), token);
  assert.ok(
    !scopes.some((s) => s.startsWith(scope)),
    `"${token}" in ${JSON.stringify(text)}: unexpected ${scope} in ${JSON.stringify(scopes)}`,
  );
}

test('grammar is valid JSON matching the package.json contribution', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes: { grammars: { language: string; scopeName: string; path: string }[] };
  };
  const contrib = pkg.contributes.grammars.find((g) => g.language === 'mips64-asm');
  assert.ok(contrib);
  assert.equal(contrib.scopeName, grammar.scopeName);
  assert.equal(path.resolve(root, contrib.path), grammarPath);
  assert.equal(grammar.scopeName, 'source.mips64-asm');
  assert.ok(Array.isArray(grammar.patterns) && grammar.patterns.length > 0);
});

test('every rule is well formed and every regex compiles as a JavaScript RegExp', () => {
  let regexes = 0;
  for (const [where, rule] of walkRules(grammar as RawRule)) {
    for (const key of ['match', 'begin', 'end'] as const) {
      const src = rule[key];
      if (src === undefined) continue;
      assert.equal(typeof src, 'string', `${where}.${key}`);
      assert.doesNotThrow(() => new RegExp(src, 'dg'), `${where}.${key}: ${src}`);
      // Oniguruma-only syntax that JavaScript would silently misread.
      assert.doesNotMatch(src, /\\[AzZGhHK]|\(\?[imx]+[):]|\(\?>|[*+?]\+/, `${where}.${key}: Oniguruma-only syntax`);
      regexes++;
    }
    if (rule.begin !== undefined) assert.ok(rule.end !== undefined, `${where}: begin without end`);
    if (rule.end !== undefined) assert.ok(rule.begin !== undefined, `${where}: end without begin`);
    if (rule.include !== undefined && rule.include.startsWith('#')) {
      assert.ok(grammar.repository?.[rule.include.slice(1)], `${where}: unresolved include ${rule.include}`);
    }
    const names = [rule.name, rule.contentName];
    for (const caps of [rule.captures, rule.beginCaptures, rule.endCaptures]) {
      for (const c of Object.values(caps ?? {})) names.push(c.name);
    }
    for (const n of names) {
      if (n !== undefined && rule !== (grammar as RawRule)) assert.ok(n.endsWith(SUFFIX), `${where}: scope ${n} should end with ${SUFFIX}`);
    }
  }
  assert.ok(regexes > 30, `only ${regexes} regexes found`);
});

test('mnemonics at statement start', () => {
  assertScope('  daddiu $sp, $sp, -32', 'daddiu', 'keyword.other.mnemonic');
  assertScope('\tc.eq.d\t$fcc1, $f0, $f2', 'c.eq.d', 'keyword.other.mnemonic');
  assertScope('\tcvt.s.d $f0, $f2', 'cvt.s.d', 'keyword.other.mnemonic');
  assertScope('\tADDIU $t0, $t0, 1', 'ADDIU', 'keyword.other.mnemonic');
  assertScope('\tjr.hb\t$ra', 'jr.hb', 'keyword.control.mnemonic');
  assertScope('\tbeqz $a0, 1f', 'beqz', 'keyword.control.mnemonic');
  assertScope('\tjal printf', 'jal', 'keyword.control.mnemonic');
  assertScope('\tsyscall', 'syscall', 'keyword.control.mnemonic');
  assertScope('\teret', 'eret', 'keyword.control.mnemonic');
  // "bnezalx" is not a control mnemonic but still a mnemonic; "jalr" must not be split
  assertScope('\tjalr $t9', 'jalr', 'keyword.control.mnemonic');
  assertScope('\tbalign $t0, $t1, 2', 'balign', 'keyword.other.mnemonic');
  // two statements on a line
  const two = tokens('\tnop; nop');
  assert.equal(two.filter((t) => t.scopes.some((s) => s.startsWith('keyword.other.mnemonic'))).length, 2);
  // operands are not mnemonics
  assertNoScope('\tjal printf', 'printf', 'keyword');
  // after a block comment
  assertScope('/* start\n   end */ nop', 'nop', 'keyword.other.mnemonic', 1);
});

test('labels', () => {
  assertScope('loop:', 'loop', 'entity.name.label');
  assertScope('loop:', ':', 'punctuation.separator.label');
  assertScope('.Lfunc_end0:', '.Lfunc_end0', 'entity.name.label');
  assertScope('1:\tbeqz $a0, 1f', '1', 'entity.name.label.local');
  assertScope('1:\tbeqz $a0, 1f', 'beqz', 'keyword.control.mnemonic');
  assertScope('1:\tbeqz $a0, 1f', '1f', 'entity.name.label.local.reference');
  assertScope('\tb 2b', '2b', 'entity.name.label.local.reference');
  assertScope('main:\taddiu $sp, $sp, -16', 'main', 'entity.name.label');
  assertScope('main:\taddiu $sp, $sp, -16', 'addiu', 'keyword.other.mnemonic');
  assertScope('start: .word 0', '.word', 'storage.type.directive.data');
});

test('comments and preprocessor lines', () => {
  const line = tokens('# x');
  assert.equal(line.length, 2);
  assert.ok(line.every((t) => t.scopes.includes('comment.line.number-sign' + SUFFIX)));
  assertScope('\tmove $a0, $zero   # first argument', '# first argument'.slice(1), 'comment.line.number-sign');
  assertScope('\tnop // c++ style', ' c++ style', 'comment.line.double-slash');
  assertScope('/* a\n   block */', '   block ', 'comment.block', 1);
  assertScope('\tnop /* inline */ ', ' inline ', 'comment.block');
  assertScope('#include <asm/regdef.h>', 'include', 'keyword.control.directive.preprocessor');
  assertScope('#include <asm/regdef.h>', '<asm/regdef.h>', 'string.quoted.other.lt-gt.include');
  assertScope('#include "regs.h"', 'regs.h', 'string.quoted.double');
  assertScope('#define STACK_SIZE 0x1000', 'STACK_SIZE', 'entity.name.function.preprocessor');
  assertScope('#define STACK_SIZE 0x1000', '0x1000', 'constant.numeric.hex');
  assertScope('#if defined(__mips64)', 'defined', 'keyword.operator.defined');
  assertScope('# ifdef CONFIG_64BIT', 'ifdef', 'keyword.control.directive.preprocessor');
  assertScope('#endif', 'endif', 'keyword.control.directive.preprocessor');
  // an English comment that happens to start with "if" stays a comment
  const english = tokens('# if the counter wraps, restart');
  assert.ok(english.every((t) => t.scopes.includes('comment.line.number-sign' + SUFFIX)));
  // multi-line #define with continuation
  assertScope('#define SAVE \\\n\tsd $ra, 0($sp)', '0', 'meta.preprocessor', 1);
  // after the macro body, lines are code again
  assertScope('#define X 1\n\tnop', 'nop', 'keyword.other.mnemonic', 1);
});

test('directives', () => {
  assertScope('\t.text', '.text', 'keyword.control.directive');
  assertScope('\t.data', '.data', 'keyword.control.directive');
  assertScope('\t.align 3', '.align', 'keyword.control.directive');
  assertScope('\t.set\tnoreorder', '.set', 'keyword.control.directive');
  assertScope('\t.set\tnoreorder', 'noreorder', 'constant.language.set-option');
  assertScope('\t.set\tarch=octeon2', 'arch=octeon2', 'constant.language.set-option');
  assertScope('\t.set\tSTACK, 32', 'STACK', 'variable.other.constant');
  assertScope('\t.globl\t_start', '_start', 'entity.name.function');
  assertScope('\t.ent\tmain', 'main', 'entity.name.function');
  assertScope('\t.type\tmain, @function', '@function', 'support.constant.symbol-type');
  assertScope('\t.section .text.init, "ax", @progbits', '.text.init', 'entity.name.section');
  assertScope('\t.section .text.init, "ax", @progbits', '@progbits', 'support.constant.symbol-type');
  assertScope('\t.section\t.note.GNU-stack,"",@progbits', '.note.GNU-stack', 'entity.name.section');
  assertScope('\t.frame\t$fp,48,$31', '$fp', 'variable.language.register.gpr');
  assertScope('\t.word\t1, 2', '.word', 'storage.type.directive.data');
  assertScope('\t.dword\t0', '.dword', 'storage.type.directive.data');
  assertScope('\t.asciiz "hi"', '.asciiz', 'storage.type.directive.data');
  assertScope('\t.macro SAVE reg', 'SAVE', 'entity.name.function.macro');
  assertScope('\tsd \\reg, 0($sp)', '\\reg', 'variable.parameter.macro');
  assertScope('STACK_SIZE = 0x100', 'STACK_SIZE', 'variable.other.constant');
});

test('registers', () => {
  assertScope('\tmove $a0, $zero', '$a0', 'variable.language.register.gpr');
  assertScope('\tmove $a0, $zero', '$zero', 'variable.language.register.gpr');
  for (const r of ['$0', '$9', '$10', '$29', '$31', '$at', '$v1', '$a7', '$t9', '$s8', '$k1', '$gp', '$sp', '$fp', '$ra']) {
    assertScope(`\tjr ${r}`, r, 'variable.language.register.gpr');
  }
  assertScope('\tadd.d $f30, $f0, $f31', '$f30', 'variable.language.register.fpr');
  assertScope('\tadd.d $f30, $f0, $f31', '$f31', 'variable.language.register.fpr');
  assertScope('\tbc1t $fcc7, 1f', '$fcc7', 'variable.language.register.fcc');
  assertScope('\taddv.d $w31, $w0, $w1', '$w31', 'variable.language.register.msa');
  assertScope('\tmfc0 $t0, $12', '$12', 'variable.language.register.gpr');
  assertScope('\tdmtc0 $t1, $c0_status', '$c0_status', 'variable.language.register.cp0');
  assertScope('\tmtc0 $t1, c0_epc', 'c0_epc', 'variable.language.register.cp0');
  assertScope('\tmove $32, $a0', '$32', 'invalid.illegal.register');
  assertScope('\tmove $99, $a0', '$99', 'invalid.illegal.register');
  // GCC's local symbols
  assertScope('$LC0:', '$LC0', 'entity.name.label');
  assertScope('\tld $2, %got_page($LC0)($28)', '$LC0', 'entity.name.label.reference');
  assertScope('\tb $L2', '$L2', 'entity.name.label.reference');
});

test('relocation operators, numbers, strings and characters', () => {
  assertScope('\tlui $t0, %hi(sym)', '%hi', 'support.function.relocation');
  assertScope('\tdaddiu $t0, $t0, %highest(sym)', '%highest', 'support.function.relocation');
  assertScope('\tld $t9, %got_disp(fn)($gp)', '%got_disp', 'support.function.relocation');
  assertScope('\tlw $t0, %gp_rel(var)($gp)', '%gp_rel', 'support.function.relocation');
  assertScope('\tld $t9, %call16(fn)($gp)', '%call16', 'support.function.relocation');
  assertScope('\tld $ra, 24($sp)', '(', 'punctuation.section.parens.begin');
  assertScope('\tld $ra, 24($sp)', '24', 'constant.numeric.decimal');
  const nums = '\t.word 0x1F, -0x10, 0b101, 017, 42, -7, 0, 1.5, 0f2.5';
  assertScope(nums, '0x1F', 'constant.numeric.hex');
  assertScope(nums, '-0x10', 'constant.numeric.hex');
  assertScope(nums, '0b101', 'constant.numeric.binary');
  assertScope(nums, '017', 'constant.numeric.octal');
  assertScope(nums, '42', 'constant.numeric.decimal');
  assertScope(nums, '-7', 'constant.numeric.decimal');
  assertScope(nums, '0', 'constant.numeric.decimal');
  assertScope(nums, '1.5', 'constant.numeric.float');
  assertScope(nums, '0f2.5', 'constant.numeric.float');
  // binary minus is an operator, not part of the number
  assertScope('\tli $t0, END-4', '-', 'keyword.operator');
  assertScope('\tli $t0, END-4', '4', 'constant.numeric.decimal');
  assertScope('\tli $t0, 1<<3', '<<', 'keyword.operator');
  // symbols with digits are not numbers
  assertNoScope('\tjal fn2', 'fn2', 'constant');

  const str = tokens('\t.asciiz "hello\\n-\\"-\\101"');
  assert.ok(scopesOf(str, 'hello').includes('string.quoted.double' + SUFFIX));
  assert.ok(scopesOf(str, '\\n').includes('constant.character.escape' + SUFFIX));
  assert.ok(scopesOf(str, '\\"').includes('constant.character.escape' + SUFFIX));
  assert.ok(scopesOf(str, '\\101').includes('constant.character.escape' + SUFFIX));
  assert.ok(scopesOf(str, '"').includes('punctuation.definition.string.begin' + SUFFIX));
  // '#' inside a string is not a comment
  assertNoScope('\t.ascii "a#b"', 'a#b', 'comment');
  // character constants
  assertScope("\tli $t0, 'a", "'", 'string.quoted.single.character');
  assertScope("\tli $t0, 'a", 'a', 'string.quoted.single.character');
  assertScope("\tli $t0, '\\n", '\\n', 'constant.character.escape');
  assertScope("\tli $t0, '#", '#', 'string.quoted.single.character');
});

test('language configuration', () => {
  const conf = JSON.parse(readFileSync(path.join(root, 'language-configuration.json'), 'utf8')) as {
    comments: { lineComment: string; blockComment: [string, string] };
    brackets: [string, string][];
    wordPattern: string;
    folding: { markers: { start: string; end: string } };
    onEnterRules: { beforeText: string }[];
  };
  assert.equal(conf.comments.lineComment, '#');
  assert.deepEqual(conf.comments.blockComment, ['/*', '*/']);
  assert.deepEqual(conf.brackets, [['(', ')']]);
  const word = new RegExp(conf.wordPattern, 'g');
  assert.deepEqual('daddiu $sp, $sp, -32 cvt.s.d .text %hi'.match(word), [
    'daddiu', '$sp', '$sp', '-32', 'cvt.s.d', '.text', '%hi',
  ]);
  const start = new RegExp(conf.folding.markers.start);
  const end = new RegExp(conf.folding.markers.end);
  assert.ok(start.test('\t.ent main') && start.test('\t.macro X') && start.test('#ifdef FOO'));
  assert.ok(end.test('\t.end main') && end.test('\t.endm') && end.test('#endif'));
  assert.ok(!start.test('\t.endm') && !end.test('\t.entry'));
  for (const r of conf.onEnterRules) assert.ok(new RegExp(r.beforeText).test('loop:'));
});

test('a compiler-generated listing tokenizes without invalid scopes', () => {
  const listing = [
    '\t.file\t1 "hello.c"',
    '\t.section .mdebug.abi64',
    '\t.previous',
    '\t.abicalls',
    '\t.rdata',
    '\t.align\t3',
    '$LC0:',
    '\t.ascii\t"Hello, %s!\\012\\000"',
    '\t.text',
    '\t.globl\tmain',
    '\t.set\tnomips16',
    '\t.ent\tmain',
    '\t.type\tmain, @function',
    'main:',
    '\t.frame\t$fp,48,$31\t\t# vars= 16, regs= 3/0, args= 0, gp= 0',
    '\t.mask\t0xd0000000,-8',
    '\t.set\tnoreorder',
    '\tdaddiu\t$sp,$sp,-48',
    '\tsd\t$31,40($sp)',
    '\tlui\t$28,%hi(%neg(%gp_rel(main)))',
    '\tdaddu\t$28,$28,$25',
    '\tld\t$2,%got_page($LC0)($28)',
    '\tdaddiu\t$4,$2,%got_ofst($LC0)',
    '\tld\t$2,%call16(printf)($28)',
    '\t.reloc\t1f,R_MIPS_JALR,printf',
    '1:\tjalr\t$25',
    '\tnop',
    '',
    '\tj\t$31',
    '\tdaddiu\t$sp,$sp,48',
    '\t.set\treorder',
    '\t.end\tmain',
    '\t.size\tmain, .-main',
    '\t.section\t.note.GNU-stack,"",@progbits',
  ];
  const lines = tokenizer.tokenize(listing.join('\n'));
  lines.forEach((line, i) => {
    for (const t of line) {
      assert.ok(!t.scopes.some((s) => s.startsWith('invalid')), `line ${i + 1}: ${JSON.stringify(t)}`);
    }
    const src = listing[i]!;
    const first = /^(?:\S+:)?\s*([a-z][\w.]*)(?=\s|$)/.exec(src)?.[1];
    if (first) assertScope(src, first, 'keyword');
    if (/^\s*\./.test(src)) assert.ok(line.some((t) => t.scopes.some((s) => s.includes('directive'))), src);
    if (/\$\d+\b/.test(src)) assertScope(src, /\$\d+/.exec(src)![0], 'variable.language.register.gpr');
  });
});
