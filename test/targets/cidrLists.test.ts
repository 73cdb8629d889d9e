import { describe, expect, it } from 'vitest';
import { CIDR_TEXT, concatOnce, firstMismatch, joinedOnce } from '../../targets/cidrLists.js';

describe('the text of IR CIDR lists, made once per list', () => {
  it('joins a list once per separator, and each separator gets its own text', () => {
    const list = ['10.0.0.0/24', '10.0.2.0/24'];
    expect(joinedOnce(list, ', ')).toBe('10.0.0.0/24, 10.0.2.0/24');
    expect(joinedOnce(list, ', ')).toBe(joinedOnce(list, ', '));
    expect(joinedOnce(list, ',')).toBe('10.0.0.0/24,10.0.2.0/24');
  });

  it('finds the first item a pattern rejects, every time it is asked: only a clean list is remembered', () => {
    const bad = ['10.0.0.0/24', '10.0.0.1"; flush ruleset', '::1'];
    expect(firstMismatch(bad, CIDR_TEXT)).toBe('10.0.0.1"; flush ruleset');
    expect(firstMismatch(bad, CIDR_TEXT)).toBe('10.0.0.1"; flush ruleset');
    const clean = ['10.0.0.0/24', '2001:db8::/64'];
    expect(firstMismatch(clean, CIDR_TEXT)).toBeUndefined();
    // Clean for one pattern says nothing of another.
    expect(firstMismatch(clean, /^[0-9./]+$/)).toBe('2001:db8::/64');
  });

  it('concatenates two lists into one array per pair, and leaves a list alone when the other is empty', () => {
    const v4 = ['10.0.0.0/24'];
    const v6 = ['2001:db8::/64'];
    expect(concatOnce(v4, v6)).toEqual(['10.0.0.0/24', '2001:db8::/64']);
    expect(concatOnce(v4, v6)).toBe(concatOnce(v4, v6));
    expect(concatOnce(v4, [])).toBe(v4);
    expect(concatOnce([], v6)).toBe(v6);
  });
});
