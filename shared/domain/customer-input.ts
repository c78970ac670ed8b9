// A customer as it enters the system (CSV import, demo data, later the backend): raw phone strings,
// untrusted text. toCustomerRecord() validates, cleans and normalises it once, so every store holds the
// same canonical shape and the screen pop never has to guess.
import { z } from 'zod';
import { cleanText } from '../text';
import { normaliseAni } from '../phone/ani';
import type { NumberPlan } from './settings';
import { CustomerId, LIMITS, Tier, type PhoneEntry } from './customer';

export const RawPhone = z.object({
  label: z.string().max(LIMITS.phoneLabel * 4).default(''),
  number: z.string().min(1, 'empty phone number').max(LIMITS.rawPhone),
});

export const CustomerInput = z.object({
  id: CustomerId,
  name: z.string().max(LIMITS.name * 4),
  company: z.string().max(LIMITS.company * 4).default(''),
  tier: Tier.default('standard'),
  tags: z.array(z.string().max(LIMITS.tag * 4)).max(LIMITS.tags).default([]),
  notes: z.string().max(LIMITS.notes * 2).default(''),
  phones: z.array(RawPhone).min(1, 'at least one phone number').max(LIMITS.phones),
  updatedAt: z.number().int().optional(),
});
export type CustomerInput = z.input<typeof CustomerInput>;

export interface CustomerRecord {
  id: string;
  name: string;
  company: string;
  tier: Tier;
  tags: string[];
  notes: string;
  phones: PhoneEntry[];
  updatedAt: number;
}

export type RecordResult = { ok: true; record: CustomerRecord } | { ok: false; errors: string[] };

export function toCustomerRecord(input: unknown, plan: NumberPlan, now = Date.now()): RecordResult {
  const parsed = CustomerInput.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`) };
  }
  const c = parsed.data;
  const errors: string[] = [];
  const name = cleanText(c.name, { max: LIMITS.name });
  if (!name) errors.push('name: required');
  const phones: PhoneEntry[] = [];
  const seen = new Set<string>();
  for (const p of c.phones) {
    const ani = normaliseAni(p.number, plan);
    if (!ani.valid || !ani.e164) {
      errors.push(`phones: "${cleanText(p.number, { max: LIMITS.rawPhone })}" is not a valid phone number for region ${plan.defaultRegion}`);
      continue;
    }
    if (seen.has(ani.e164)) continue;
    seen.add(ani.e164);
    phones.push({ e164: ani.e164, display: ani.display, label: cleanText(p.label, { max: LIMITS.phoneLabel }) });
  }
  if (errors.length) return { ok: false, errors };
  const tags = [...new Set(c.tags.map((t) => cleanText(t, { max: LIMITS.tag })).filter(Boolean))];
  return {
    ok: true,
    record: {
      id: c.id,
      name,
      company: cleanText(c.company, { max: LIMITS.company }),
      tier: c.tier,
      tags,
      notes: cleanText(c.notes, { max: LIMITS.notes, multiline: true }),
      phones,
      updatedAt: c.updatedAt ?? now,
    },
  };
}
