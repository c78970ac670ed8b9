// Customers: everyone signed in reads; admins write, merge and import.
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { CustomerId } from '../../shared/domain/customer';
import { toCustomerRecord } from '../../shared/domain/customer-input';
import { MergeRequest } from '../../shared/sync/api';
import { createCustomer, deleteCustomer, getCustomer, mergeCustomers, replaceCustomer } from '../customers/store';
import { importCustomersCsv } from '../customers/import-csv';
import { ADMIN, ANY_ROLE, who } from '../http/access';
import { badRequest, HttpError, parse } from '../http/errors';
import type { RouteContext } from './context';

const IdParams = z.object({ id: CustomerId });
const IfMatch = z.string().regex(/^"?(0|[1-9]\d{0,15})"?$/, 'If-Match must be the seq of the version you edited');

export function customerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { db, plan } = ctx;
  const idOf = (params: unknown) => parse(IdParams, params, 'path').id;

  const record = (body: unknown, id?: string) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object describing a customer');
    const input = body as Record<string, unknown>;
    if (id !== undefined && input.id !== undefined && input.id !== id) throw badRequest(`the body's id (${String(input.id).slice(0, 64)}) differs from the URL's (${id})`);
    const r = toCustomerRecord(id === undefined ? input : { ...input, id }, plan);
    if (!r.ok) throw badRequest(`invalid customer: ${r.errors.slice(0, 3).join('; ')}`, r.errors);
    return r.record;
  };

  app.get('/v1/customers/:id', { config: { access: ANY_ROLE } }, async (req) => getCustomer(db, idOf(req.params)));

  app.post('/v1/customers', { config: { access: ADMIN } }, async (req, reply) => reply.code(201).send(await createCustomer(db, record(req.body))));

  app.put('/v1/customers/:id', { config: { access: ADMIN } }, async (req) => {
    const id = idOf(req.params);
    const ifMatch = req.headers['if-match'];
    const expected = ifMatch === undefined ? undefined : Number(parse(IfMatch, ifMatch, 'If-Match header').replace(/"/g, ''));
    return replaceCustomer(db, record(req.body, id), expected);
  });

  app.delete('/v1/customers/:id', { config: { access: ADMIN } }, async (req) => deleteCustomer(db, idOf(req.params)));

  app.post('/v1/customers/:id/merge', { config: { access: ADMIN } }, async (req) => {
    const id = idOf(req.params);
    return mergeCustomers(db, id, parse(MergeRequest, req.body, 'merge').into);
  });

  app.post('/v1/customers/import', { config: { access: ADMIN } }, async (req) => {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^text\/csv\b/i.test(type)) throw new HttpError('unsupported_media_type', 'send the file as Content-Type: text/csv (UTF-8)');
    return importCustomersCsv(db, req.body as Readable, { plan, maxBytes: ctx.maxImportBytes, userId: who(req).userId });
  });
}
