// The generated demo set: valid numbers, unique ids, the hand-written story customers the demo call and
// the end-to-end tests rely on, and the same output for the same seed.
import { describe, expect, it } from 'vitest';
import { demoCustomers, STORY_NUMBERS, type DemoCustomer } from '../../../shared/demo/demo-customers';
import { toCustomerRecord } from '../../../shared/domain/customer-input';
import { DEFAULT_NUMBER_PLAN } from '../../../shared/domain/defaults';
import { normaliseAni } from '../../../shared/phone/ani';

const NOW = Date.UTC(2026, 0, 1);
const COUNT = 20_000;
const all: DemoCustomer[] = [...demoCustomers(COUNT, { now: NOW })];
const e164 = (n: string) => normaliseAni(n, DEFAULT_NUMBER_PLAN).e164;

describe('demo customers', () => {
  it(`generates ${COUNT} customers with unique ids`, () => {
    expect(all).toHaveLength(COUNT);
    expect(new Set(all.map((d) => d.customer.id)).size).toBe(COUNT);
  });

  /** E.164 → ids of the customers with that number; every number of every customer, parsed once. */
  const byNumber = new Map<string, string[]>();
  const invalid: string[] = [];
  for (const d of all)
    for (const p of d.customer.phones) {
      const k = e164(p.number);
      if (!k) invalid.push(`${d.customer.id}: ${p.number}`);
      else byNumber.set(k, [...(byNumber.get(k) ?? []), d.customer.id]);
    }

  it('every generated phone number is a valid number', () => {
    expect(invalid).toEqual([]);
    expect(byNumber.size).toBeGreaterThan(COUNT);
  });

  it('the default desktop set passes the same validation as an imported customer', () => {
    const bad = all.slice(0, 5000).map((d) => toCustomerRecord(d.customer, DEFAULT_NUMBER_PLAN, NOW)).filter((r) => !r.ok);
    expect(bad).toEqual([]);
  });

  it('interactions belong to their customer, have unique ids and are in the past', () => {
    const ids = new Set<string>();
    const wrong: string[] = [];
    for (const d of all)
      for (const i of d.interactions) {
        if (i.customerId !== d.customer.id || ids.has(i.id) || i.at > NOW) wrong.push(i.id);
        ids.add(i.id);
      }
    expect(wrong).toEqual([]);
    expect(ids.size).toBeGreaterThan(COUNT / 2);
  });

  it('has the three story customers with their reserved numbers, and nobody else has those numbers', () => {
    const story = all.filter((d) => d.customer.id.startsWith('C-STORY-')).map((d) => d.customer.id);
    expect(story).toEqual(['C-STORY-1', 'C-STORY-2', 'C-STORY-3']);
    expect(byNumber.get(e164(STORY_NUMBERS.single) as string)).toEqual(['C-STORY-1']);
    expect(byNumber.get(e164(STORY_NUMBERS.shared) as string)?.sort()).toEqual(['C-STORY-2', 'C-STORY-3']);
    expect(byNumber.get(e164(STORY_NUMBERS.unknown) as string)).toBeUndefined();
    expect(all[0]?.interactions.length).toBeGreaterThan(0);
  });

  it('mixes Chinese and English names', () => {
    const chinese = all.filter((d) => /^[\u4E00-\u9FFF]+$/.test(d.customer.name)).length;
    const english = all.filter((d) => /^[A-Z][a-z]+ [A-Z][a-z]+$/.test(d.customer.name)).length;
    expect(chinese / COUNT).toBeGreaterThan(0.4);
    expect(english / COUNT).toBeGreaterThan(0.2);
  });

  it('is deterministic for a seed, and chunks continue where they start', () => {
    const again = [...demoCustomers(200, { now: NOW })];
    expect(again).toEqual(all.slice(0, 200));
    const chunk = [...demoCustomers(100, { now: NOW, start: 5000 })];
    expect(chunk.map((d) => d.customer.id)).toEqual(all.slice(5000, 5100).map((d) => d.customer.id));
    expect([...demoCustomers(50, { now: NOW, seed: 1 })].map((d) => d.customer.name)).not.toEqual(again.slice(0, 50).map((d) => d.customer.name));
  });
});
