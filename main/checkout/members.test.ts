import { describe, expect, it } from 'vitest';
import { maskPhone } from './members.js';

describe('maskPhone', () => {
  it.each([
    ['13812345678', '138****5678'],
    // An imported number with the country code, with spaces, with dashes, a landline: never shown whole.
    ['+8613912345678', '139****5678'],
    ['008613912345678', '139****5678'],
    ['139 1234 5678', '139****5678'],
    ['139-1234-5678', '139****5678'],
    ['010-62345678', '010****5678'],
    ['(021) 6234 5678', '021****5678'],
    // A landline without its area code: its last 4 only.
    ['62345678', '****5678'],
    ['1234567', '****4567'],
    // Too few digits to hide anything behind the stars: nothing of it shows.
    ['123456', '****'],
    ['12', '****'],
    ['', '****'],
    ['unknown', '****'],
  ])('%s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it('never shows the middle digits of a number of any length', () => {
    for (let n = 0; n <= 20; n++) {
      const phone = Array.from({ length: n }, (_, i) => String((i + 1) % 10)).join('');
      const masked = maskPhone(`+${phone}`);
      // At least 3 digits stay hidden.
      expect(masked.replace(/\D/g, '').length).toBeLessThanOrEqual(Math.max(0, n - 3));
      if (n >= 11) expect(masked).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
      else if (n >= 7) expect(masked).toBe(`****${phone.slice(-4)}`);
      else expect(masked).toBe('****');
    }
  });
});
