import { describe, expect, it } from 'vitest';
import { isOff, joinNegativeNumbers, numberArg, numberOrOffArg, parseBenchArgs, wholeArg } from '../../bench/args.js';

const options = { verify: { type: 'string' }, quick: { type: 'boolean' } } as const;

describe('bench command lines', () => {
  it('reads a negative value written with a space, as the README writes it', () => {
    expect(parseBenchArgs({ args: ['--verify', '-3', '--quick'], options }).values).toEqual({ verify: '-3', quick: true });
    expect(parseBenchArgs({ args: ['--verify=-3.5'], options }).values).toEqual({ verify: '-3.5' });
    expect(joinNegativeNumbers(['--verify', '-.5', '--quick', '-3'], options)).toEqual(['--verify=-.5', '--quick', '-3']);
  });

  it('refuses an unknown option, a value-less option and an unexpected positional', () => {
    expect(() => parseBenchArgs({ args: ['--verfy', '-3'], options })).toThrow(/Unknown option '--verfy'/);
    expect(() => parseBenchArgs({ args: ['--verify', '--quick'], options })).toThrow(/argument is ambiguous|argument missing/);
    expect(() => parseBenchArgs({ args: ['extra'], options })).toThrow(/Unexpected argument 'extra'/);
  });

  it('checks number and on/off values', () => {
    expect(numberArg('verify', '-3')).toBe(-3);
    expect(numberArg('verify', undefined)).toBeUndefined();
    expect(() => numberArg('verify', 'minus three')).toThrow('--verify minus three: not a number');
    expect(wholeArg('workers', undefined, 2)).toBe(2);
    expect(() => wholeArg('workers', '0', 2)).toThrow(/whole number ≥ 1/);
    expect(wholeArg('offset', '0', 0, 0)).toBe(0);
    expect([isOff('cond', 'off'), isOff('cond', 'on'), isOff('cond', undefined)]).toEqual([true, false, false]);
    expect(() => isOff('cond', 'of')).toThrow('--cond of: expected "on" or "off"');
    expect([numberOrOffArg('verify', '-3'), numberOrOffArg('verify', 'off'), numberOrOffArg('verify', undefined)]).toEqual([-3, false, undefined]);
    expect(() => numberOrOffArg('verify', 'of')).toThrow('--verify of: not a number');
  });
});
