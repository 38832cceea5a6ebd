import { describe, expect, it } from 'vitest';
import { compile, customSurface, differentiate, FormulaError, parseFormula, printFormula } from './formula';

const evalAt = (src: string, x: number, y: number): number => compile(parseFormula(src))(x, y);
const domain = { xmin: -2, xmax: 2, ymin: -2, ymax: 2 };

describe('formula parser', () => {
  it('evaluates arithmetic on x and y with the usual precedence', () => {
    expect(evalAt('1 + 2*3', 0, 0)).toBe(7);
    expect(evalAt('(1 + 2)*3', 0, 0)).toBe(9);
    expect(evalAt('2^3^2', 0, 0)).toBe(512); // right-associative
    expect(evalAt('-x^2', 3, 0)).toBe(-9); // ^ before unary minus
    expect(evalAt('2^-1', 0, 0)).toBe(0.5);
    expect(evalAt('x - y - 1', 5, 2)).toBe(2); // left-associative
    expect(evalAt('x/y/2', 8, 2)).toBe(2);
    expect(evalAt('1.5e-1 * 10 + .5', 0, 0)).toBeCloseTo(2, 14);
    expect(evalAt('sin(x) + cos(y) + exp(0) + log(1) + sqrt(4) + abs(-3) + tanh(0)', 0, 0)).toBe(0 + 1 + 1 + 0 + 2 + 3 + 0);
    expect(evalAt('(1 − x)^2 + 100·(y − x^2)^2', 1, 1)).toBe(0); // typographic − and · as in the UI
    expect(evalAt('pi', 0, 0)).toBe(Math.PI);
  });

  const rejected: [string, string, number][] = [
    ['process', "Unknown name 'process'", 1],
    ['x + constructor', "Unknown name 'constructor'", 5],
    ['x[0]', "Unexpected character '['", 2],
    ['"x"', 'Unexpected character \'"\'', 1],
    ["'a'", "Unexpected character '''", 1],
    ['x; y', "Unexpected character ';'", 2],
    ['x.constructor', 'Unexpected', 2],
    ['__proto__', "Unknown name '__proto__'", 1],
    ['Math.sin(x)', "Unknown name 'Math'", 1],
    ['eval(x)', "Unknown name 'eval'", 1],
    ['x => 1', "Unexpected character '='", 3],
    ['2x', "Unexpected 'x'", 2],
    ['x +', 'found the end of the formula', 4],
    ['(x + 1', "Expected ')'", 7],
    ['sin x', "Function 'sin' needs parentheses", 5],
    ['x, y', "Unexpected character ','", 2],
    ['`x`', 'Unexpected character', 1],
    ['', 'found the end of the formula', 1],
  ];
  it.each(rejected)('rejects %j with a message saying what and where', (src, message, column) => {
    let err: unknown;
    try {
      parseFormula(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormulaError);
    expect((err as FormulaError).message).toContain(message);
    expect((err as FormulaError).column).toBe(column);
    expect((err as FormulaError).message).toContain(`column ${column}`);
  });

  it('rejects absurdly deep nesting instead of overflowing the stack', () => {
    expect(() => parseFormula('('.repeat(200) + 'x' + ')'.repeat(200))).toThrow(FormulaError);
    expect(() => parseFormula('-'.repeat(300) + 'x')).toThrow(FormulaError);
  });
});

describe('symbolic gradient', () => {
  const cases = ['x^2 + 3*x*y', 'sin(x)*exp(y)', '(1 - x)^2 + 100*(y - x^2)^2', 'log(1 + x^2 + y^2)', 'sqrt(1 + x^2)/tanh(1 + y^2)', 'abs(x - 0.3) + y^x', 'x^y'];
  it.each(cases)('∂/∂x and ∂/∂y of %s agree with central differences', (src) => {
    const ast = parseFormula(src);
    const f = compile(ast);
    const dx = compile(differentiate(ast, 'x'));
    const dy = compile(differentiate(ast, 'y'));
    for (const [x, y] of [[0.7, 1.3], [1.9, 0.4], [1.1, 1.7]]) {
      const h = 1e-6;
      expect(dx(x, y)).toBeCloseTo((f(x + h, y) - f(x - h, y)) / (2 * h), 5);
      expect(dy(x, y)).toBeCloseTo((f(x, y + h) - f(x, y - h)) / (2 * h), 5);
    }
  });

  it('prints derivatives that the parser reads back to the same function', () => {
    const ast = parseFormula('(1 - x)^2 + 100*(y - x^2)^2');
    const printed = printFormula(differentiate(ast, 'x'));
    const again = compile(parseFormula(printed));
    expect(again(0.3, -0.7)).toBeCloseTo(-2 * (1 - 0.3) - 400 * 0.3 * (-0.7 - 0.09), 10);
  });

  it('custom surfaces: symbolic and central-difference gradients agree', () => {
    const sym = customSurface('x^2 + 5*y^2 + sin(3*x)', domain, 'symbolic');
    const cd = customSurface('x^2 + 5*y^2 + sin(3*x)', domain, 'central-differences');
    expect(sym.surface.gradient).toBe('symbolic');
    expect(cd.surface.gradient).toBe('central-differences');
    expect(sym.dfdx).toContain('cos');
    const [gx, gy] = sym.surface.grad(0.4, -0.6);
    expect(gx).toBeCloseTo(0.8 + 3 * Math.cos(1.2), 12);
    expect(gy).toBe(-6);
    const [cx, cy] = cd.surface.grad(0.4, -0.6);
    expect(cx).toBeCloseTo(gx, 7);
    expect(cy).toBeCloseTo(gy, 7);
  });
});
