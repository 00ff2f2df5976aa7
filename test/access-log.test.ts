/** The server's access log: one line per request, written when the answer is sent, with what an operator looks for. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/http/server.ts';
import { fixedClock, openTestDatabase, type TestDatabase } from './support.ts';

describe('answers and the access log', () => {
  let test: TestDatabase;
  let app: FastifyInstance;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    test = await openTestDatabase();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    app = await buildServer({ db: test.db, clock: fixedClock('2026-03-31T04:00:00Z'), logger: pino({ level: 'info' }, sink) });
    // Not an arflow route: presenters write amounts as strings, but a bigint that slips through must not break the answer.
    app.get('/test/bigint', async () => ({ amountMinor: 123456789012345678901234567890n, items: [{ seq: 1n }], name: '客户' }));
  });
  afterAll(async () => {
    await app.close();
    await test.drop();
  });

  it('writes an answer with a bigint in it, the bigint as a string', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/bigint' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"amountMinor":"123456789012345678901234567890","items":[{"seq":"1"}],"name":"客户"}');
  });

  it('writes one line per request: method, path, caller address, status and time taken', async () => {
    lines.length = 0;
    expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/customers?limit=5' })).statusCode).toBe(401);
    const requests = lines.filter((l) => l.req !== undefined || l.res !== undefined);
    // Two requests, two lines (Fastify's own logging wrote two per request: on arrival and on completion).
    expect(requests).toHaveLength(2);
    expect(requests.map((l) => [l.msg, (l.req as { method: string }).method, (l.req as { url: string }).url, (l.res as { statusCode: number }).statusCode])).toEqual([
      ['request completed', 'GET', '/api/v1/health', 200],
      ['request completed', 'GET', '/api/v1/customers?limit=5', 401],
    ]);
    for (const l of requests) {
      expect((l.req as { remoteAddress: string }).remoteAddress).toBe('127.0.0.1');
      expect(typeof l.responseTime).toBe('number');
      expect(l.reqId).toBeDefined();
      expect(l.level).toBe(30);
    }
  });
});
