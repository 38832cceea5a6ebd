/**
 * A safe parser for custom loss surfaces: a tokenizer and a recursive-descent parser to an AST, an
 * evaluator that walks the AST, and symbolic differentiation of the AST. Nothing is ever passed to
 * eval/Function; anything outside arithmetic on x and y is rejected with the column where it went wrong.
 *
 * Grammar (^ binds tighter than unary minus and is right-associative, so −x^2 = −(x^2)):
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?
 *   primary := number | 'x' | 'y' | 'pi' | func '(' expr ')' | '(' expr ')'
 */
import type { Domain, Surface, Vec2 } from './surfaces';

export const FUNCTIONS = ['sin', 'cos', 'exp', 'log', 'sqrt', 'abs', 'tanh'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];
/** `sign` appears only in derivatives (of abs); users cannot type it. */
type InternalFn = FunctionName | 'sign';

export type Node =
  | { k: 'num'; v: number }
  | { k: 'var'; name: 'x' | 'y' }
  | { k: 'neg'; a: Node }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '^'; a: Node; b: Node }
  | { k: 'call'; fn: InternalFn; a: Node };

export class FormulaError extends Error {
  /** 1-based column of the offending character. */
  readonly column: number;
  constructor(message: string, column: number) {
    super(`${message} (at column ${column})`);
    this.name = 'FormulaError';
    this.column = column;
  }
}

type Token =
  | { t: 'num'; v: number; pos: number; text: string }
  | { t: 'id'; v: string; pos: number; text: string }
  | { t: 'op'; v: '+' | '-' | '*' | '/' | '^' | '(' | ')'; pos: number; text: string }
  | { t: 'end'; pos: number; text: string };

const OPS: Record<string, '+' | '-' | '*' | '/' | '^' | '(' | ')'> = {
  '+': '+',
  '-': '-',
  '−': '-', // typographic minus, as in the formulas the UI shows
  '*': '*',
  '·': '*',
  '×': '*',
  '/': '/',
  '^': '^',
  '(': '(',
  ')': ')',
};

const MAX_LENGTH = 500;
const KNOWN_NAMES: ReadonlySet<string> = new Set(['x', 'y', 'pi', ...FUNCTIONS]);

export function tokenize(src: string): Token[] {
  if (src.length > MAX_LENGTH) throw new FormulaError(`Formula is longer than ${MAX_LENGTH} characters`, MAX_LENGTH + 1);
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]), pos: i, text: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_]\w*/.exec(src.slice(i));
    if (id) {
      // reject unknown names here, so the first problem from the left is the one reported
      if (!KNOWN_NAMES.has(id[0])) throw new FormulaError(`Unknown name '${id[0]}': use x, y, pi or one of ${FUNCTIONS.join(', ')}`, i + 1);
      out.push({ t: 'id', v: id[0], pos: i, text: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS[ch];
    if (op) {
      out.push({ t: 'op', v: op, pos: i, text: ch });
      i++;
      continue;
    }
    throw new FormulaError(`Unexpected character '${ch}': only numbers, x, y, + − * / ^, parentheses and ${FUNCTIONS.join(', ')} are allowed`, i + 1);
  }
  out.push({ t: 'end', pos: src.length, text: '' });
  return out;
}

const MAX_DEPTH = 100;

export function parseFormula(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  let depth = 0;
  const peek = (): Token => toks[p];
  const isOp = (v: string): boolean => {
    const tk = toks[p];
    return tk.t === 'op' && tk.v === v;
  };
  const describe = (tk: Token): string => (tk.t === 'end' ? 'the end of the formula' : `'${tk.text}'`);
  const expect = (v: string): void => {
    if (!isOp(v)) throw new FormulaError(`Expected '${v}' but found ${describe(peek())}`, peek().pos + 1);
    p++;
  };
  const nest = <R>(fn: () => R): R => {
    if (++depth > MAX_DEPTH) throw new FormulaError('Formula is nested too deeply', peek().pos + 1);
    try {
      return fn();
    } finally {
      depth--;
    }
  };

  const expr = (): Node =>
    nest(() => {
      let a = term();
      while (isOp('+') || isOp('-')) {
        const op = (toks[p++] as { v: '+' | '-' }).v;
        a = { k: 'bin', op, a, b: term() };
      }
      return a;
    });
  const term = (): Node => {
    let a = unary();
    while (isOp('*') || isOp('/')) {
      const op = (toks[p++] as { v: '*' | '/' }).v;
      a = { k: 'bin', op, a, b: unary() };
    }
    return a;
  };
  const unary = (): Node =>
    nest(() => {
      if (isOp('-')) {
        p++;
        return { k: 'neg', a: unary() };
      }
      if (isOp('+')) {
        p++;
        return unary();
      }
      return power();
    });
  const power = (): Node => {
    const base = primary();
    if (isOp('^')) {
      p++;
      return { k: 'bin', op: '^', a: base, b: unary() };
    }
    return base;
  };
  const primary = (): Node => {
    const tk = peek();
    if (tk.t === 'num') {
      p++;
      return { k: 'num', v: tk.v };
    }
    if (tk.t === 'id') {
      p++;
      if (tk.v === 'x' || tk.v === 'y') return { k: 'var', name: tk.v };
      if (tk.v === 'pi') return { k: 'num', v: Math.PI };
      if ((FUNCTIONS as readonly string[]).includes(tk.v)) {
        if (!isOp('(')) throw new FormulaError(`Function '${tk.v}' needs parentheses, e.g. ${tk.v}(x)`, peek().pos + 1);
        p++;
        const a = expr();
        expect(')');
        return { k: 'call', fn: tk.v as FunctionName, a };
      }
      throw new FormulaError(`Unknown name '${tk.v}': use x, y, pi or one of ${FUNCTIONS.join(', ')}`, tk.pos + 1);
    }
    if (isOp('(')) {
      p++;
      const a = expr();
      expect(')');
      return a;
    }
    throw new FormulaError(`Expected a number, x, y, a function or '(' but found ${describe(tk)}`, tk.pos + 1);
  };

  const root = expr();
  if (peek().t !== 'end') {
    const tk = peek();
    throw new FormulaError(`Unexpected ${describe(tk)}: expected an operator (+ − * / ^) or the end`, tk.pos + 1);
  }
  return root;
}

const FN_IMPL: Record<InternalFn, (v: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sign: Math.sign,
};

/** Builds a closure tree once, so the contour grid does not re-dispatch on node kinds per pixel. */
export function compile(node: Node): (x: number, y: number) => number {
  switch (node.k) {
    case 'num': {
      const v = node.v;
      return () => v;
    }
    case 'var':
      return node.name === 'x' ? (x) => x : (_x, y) => y;
    case 'neg': {
      const a = compile(node.a);
      return (x, y) => -a(x, y);
    }
    case 'call': {
      const a = compile(node.a);
      const fn = FN_IMPL[node.fn];
      return (x, y) => fn(a(x, y));
    }
    case 'bin': {
      const a = compile(node.a);
      const b = compile(node.b);
      switch (node.op) {
        case '+':
          return (x, y) => a(x, y) + b(x, y);
        case '-':
          return (x, y) => a(x, y) - b(x, y);
        case '*':
          return (x, y) => a(x, y) * b(x, y);
        case '/':
          return (x, y) => a(x, y) / b(x, y);
        case '^':
          return (x, y) => Math.pow(a(x, y), b(x, y));
      }
    }
  }
}

// ---- symbolic differentiation, with light simplification so the printed derivative stays readable ----

const num = (v: number): Node => ({ k: 'num', v });
const isNum = (n: Node): n is { k: 'num'; v: number } => n.k === 'num';
/** Not a type guard: a failed comparison with one value must not narrow the node away from 'num'. */
const isConst = (n: Node, v: number): boolean => n.k === 'num' && n.v === v;

function add(a: Node, b: Node): Node {
  if (isConst(a, 0)) return b;
  if (isConst(b, 0)) return a;
  if (isNum(a) && isNum(b)) return num(a.v + b.v);
  return { k: 'bin', op: '+', a, b };
}
function sub(a: Node, b: Node): Node {
  if (isConst(b, 0)) return a;
  if (isConst(a, 0)) return neg(b);
  if (isNum(a) && isNum(b)) return num(a.v - b.v);
  return { k: 'bin', op: '-', a, b };
}
function mul(a: Node, b: Node): Node {
  if (isConst(a, 0) || isConst(b, 0)) return num(0);
  if (isConst(a, 1)) return b;
  if (isConst(b, 1)) return a;
  if (isConst(a, -1)) return neg(b);
  if (isConst(b, -1)) return neg(a);
  if (isNum(a) && isNum(b)) return num(a.v * b.v);
  if (isNum(b)) return mul(b, a);
  return { k: 'bin', op: '*', a, b };
}
function div(a: Node, b: Node): Node {
  if (isConst(a, 0)) return num(0);
  if (isConst(b, 1)) return a;
  return { k: 'bin', op: '/', a, b };
}
function pow(a: Node, b: Node): Node {
  if (isConst(b, 1)) return a;
  if (isConst(b, 0)) return num(1);
  return { k: 'bin', op: '^', a, b };
}
function neg(a: Node): Node {
  if (isNum(a)) return num(-a.v);
  if (a.k === 'neg') return a.a;
  return { k: 'neg', a };
}
const call = (fn: InternalFn, a: Node): Node => ({ k: 'call', fn, a });

function dependsOn(n: Node, v: 'x' | 'y'): boolean {
  switch (n.k) {
    case 'num':
      return false;
    case 'var':
      return n.name === v;
    case 'neg':
    case 'call':
      return dependsOn(n.a, v);
    case 'bin':
      return dependsOn(n.a, v) || dependsOn(n.b, v);
  }
}

/** ∂n/∂v as a new AST. */
export function differentiate(n: Node, v: 'x' | 'y'): Node {
  if (!dependsOn(n, v)) return num(0);
  switch (n.k) {
    case 'num':
      return num(0);
    case 'var':
      return num(n.name === v ? 1 : 0);
    case 'neg':
      return neg(differentiate(n.a, v));
    case 'call': {
      const a = n.a;
      const da = differentiate(a, v);
      const outer: Record<InternalFn, () => Node> = {
        sin: () => call('cos', a),
        cos: () => neg(call('sin', a)),
        exp: () => call('exp', a),
        log: () => div(num(1), a),
        sqrt: () => div(num(1), mul(num(2), call('sqrt', a))),
        abs: () => call('sign', a),
        tanh: () => sub(num(1), pow(call('tanh', a), num(2))),
        sign: () => num(0),
      };
      return mul(outer[n.fn](), da);
    }
    case 'bin': {
      const { a, b } = n;
      const da = differentiate(a, v);
      const db = differentiate(b, v);
      switch (n.op) {
        case '+':
          return add(da, db);
        case '-':
          return sub(da, db);
        case '*':
          return add(mul(da, b), mul(a, db));
        case '/':
          return div(sub(mul(da, b), mul(a, db)), pow(b, num(2)));
        case '^':
          if (!dependsOn(b, v)) {
            // power rule; b may still depend on the other variable, which is a constant here
            const bm1 = isNum(b) ? num(b.v - 1) : sub(b, num(1));
            return mul(mul(b, pow(a, bm1)), da);
          }
          // general case: d(a^b) = a^b·(b'·log a + b·a'/a)
          return mul(n, add(mul(db, call('log', a)), div(mul(b, da), a)));
      }
    }
  }
}

const PREC: Record<'+' | '-' | '*' | '/' | '^', number> = { '+': 1, '-': 1, '*': 2, '/': 2, '^': 4 };

/** Prints an AST back as a formula the parser accepts (used to show the symbolic gradient). */
export function printFormula(n: Node, parentPrec = 0): string {
  switch (n.k) {
    case 'num':
      return n.v < 0 ? `(${fmtNum(n.v)})` : fmtNum(n.v);
    case 'var':
      return n.name;
    case 'neg': {
      const s = `-${printFormula(n.a, 3)}`;
      return parentPrec >= 3 ? `(${s})` : s;
    }
    case 'call':
      return `${n.fn}(${printFormula(n.a)})`;
    case 'bin': {
      const p = PREC[n.op];
      // left-assoc ops need parentheses on the right at equal precedence; ^ on the left
      const left = printFormula(n.a, n.op === '^' ? p + 1 : p);
      const right = printFormula(n.b, n.op === '^' ? p : p + 1);
      const s = `${left} ${n.op} ${right}`;
      return p < parentPrec ? `(${s})` : s;
    }
  }
}

function fmtNum(v: number): string {
  if (v === Math.PI) return 'pi';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

export type GradientMode = 'symbolic' | 'central-differences';

export interface CustomSurfaceResult {
  surface: Surface;
  /** The printed symbolic partial derivatives (empty for central differences). */
  dfdx: string;
  dfdy: string;
}

/**
 * A surface from a typed formula. Symbolic gradients are exact; central differences use
 * h = 1e-5·max(1, |θ|) per coordinate (error O(h²)).
 */
export function customSurface(src: string, domain: Domain, mode: GradientMode = 'symbolic'): CustomSurfaceResult {
  const ast = parseFormula(src);
  const f = compile(ast);
  let grad: (x: number, y: number) => Vec2;
  let dfdx = '';
  let dfdy = '';
  if (mode === 'symbolic') {
    const dx = differentiate(ast, 'x');
    const dy = differentiate(ast, 'y');
    const gx = compile(dx);
    const gy = compile(dy);
    dfdx = printFormula(dx);
    dfdy = printFormula(dy);
    grad = (x, y) => [gx(x, y), gy(x, y)];
  } else {
    grad = (x, y) => {
      const hx = 1e-5 * Math.max(1, Math.abs(x));
      const hy = 1e-5 * Math.max(1, Math.abs(y));
      return [(f(x + hx, y) - f(x - hx, y)) / (2 * hx), (f(x, y + hy) - f(x, y - hy)) / (2 * hy)];
    };
  }
  return { surface: { id: 'custom', f, grad, domain, gradient: mode, formula: `f = ${src}` }, dfdx, dfdy };
}
