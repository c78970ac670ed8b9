// Every user-facing string exists in English and Simplified Chinese, with the same keys and the same
// interpolation variables, and none is empty.
import { describe, expect, it } from 'vitest';
import { en } from '../../../renderer/i18n/en';
import { zhCN } from '../../../renderer/i18n/zh-CN';

function leaves(o: unknown, path = ''): [string, unknown][] {
  if (o && typeof o === 'object' && !Array.isArray(o)) return Object.entries(o).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return [[path, o]];
}
const vars = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  const enLeaves = new Map(leaves(en));
  const zhLeaves = new Map(leaves(zhCN));

  it('en and zh-CN have exactly the same keys', () => {
    expect([...zhLeaves.keys()].sort()).toEqual([...enLeaves.keys()].sort());
    expect(enLeaves.size).toBeGreaterThan(20);
  });

  it('every string is a non-empty string', () => {
    for (const [k, v] of [...enLeaves, ...zhLeaves]) {
      expect(typeof v, k).toBe('string');
      expect((v as string).trim(), k).not.toBe('');
    }
  });

  it('both languages use the same {{variables}}', () => {
    for (const [k, v] of enLeaves) expect(vars(zhLeaves.get(k) as string), k).toEqual(vars(v as string));
  });

  it('the Chinese strings are translated (most contain CJK characters)', () => {
    const translated = [...zhLeaves.values()].filter((v) => /[\u4E00-\u9FFF]/.test(v as string)).length;
    expect(translated / zhLeaves.size).toBeGreaterThan(0.8);
  });
});
