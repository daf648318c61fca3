import { describe, expect, it } from 'vitest';
import { fieldErrorsOf, parseWholeNumber } from './field-errors.js';

describe('field errors', () => {
  it('keys BAD_INPUT issues by path, relative to the form’s part of the input, first problem wins', () => {
    const error = {
      code: 'BAD_INPUT' as const,
      message: 'x',
      issues: [
        { path: 'wedge.minLength', message: 'first' },
        { path: 'wedge.minLength', message: 'second' },
        { path: 'language', message: 'other' },
      ],
    };
    expect(fieldErrorsOf(error, 'wedge')).toEqual({ minLength: 'first', language: 'other' });
  });

  it('has no field errors for other failures', () => {
    expect(fieldErrorsOf({ code: 'INTERNAL', message: 'x' })).toEqual({});
  });

  it('reads whole numbers only', () => {
    expect(parseWholeNumber(' 42 ')).toBe(42);
    expect(parseWholeNumber('')).toBeUndefined();
    expect(parseWholeNumber('4.5')).toBeUndefined();
    expect(parseWholeNumber('1e3')).toBeUndefined();
    expect(parseWholeNumber('99999999999999999999')).toBeUndefined();
  });
});
