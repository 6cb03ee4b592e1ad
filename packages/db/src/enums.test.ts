import { describe, expect, it } from 'vitest';
import { enumMapper, orNull } from './enums.js';

type Colour = 'RED' | 'GREEN';
const colour = enumMapper<Colour>()('paint.colour', ['RED', 'GREEN']);

describe('enumMapper: database strings as a GraphQL enum', () => {
  it.each(['RED', 'GREEN'])('maps %s to itself', (v) => expect(colour(v)).toBe(v));
  it.each(['BLUE', 'red', ''])('refuses %j, naming the column', (v) => expect(() => colour(v)).toThrow(`paint.colour holds "${v}"`));
  it('keeps the values in order', () => expect(colour.values).toEqual(['RED', 'GREEN']));
  it('passes null through for a nullable column', () => {
    expect(orNull(colour)(null)).toBeNull();
    expect(orNull(colour)('GREEN')).toBe('GREEN');
  });
  it('is held to the enum type both ways by the type checker', () => {
    // @ts-expect-error a value the enum lacks
    expect(() => enumMapper<Colour>()('c', ['RED', 'GREEN', 'BLUE'])).not.toThrow();
    // @ts-expect-error a value of the enum missing
    expect(() => enumMapper<Colour>()('c', ['RED'])).not.toThrow();
  });
});
