import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpTimestamper } from '../../../functions/adapters/tsa/http-timestamper';
import { readTimestampToken, SHA256_OID } from '../../../functions/core/pdf-seal/timestamp';
import { startTsaResponder, type TsaResponder } from '../../support/tsa-responder';

const digest = (text: string) => new Uint8Array(createHash('sha256').update(text).digest());
const integer = (bytes: ArrayBuffer | Uint8Array) =>
  BigInt(`0x${Buffer.from(bytes as Uint8Array).toString('hex')}`);
/** Short waits: the real backoff and per-attempt timeout, kept small. */
const FAST = { backoffMs: 20, attemptTimeoutMs: 300 };

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('HttpTimestamper against an RFC 3161 responder on loopback', () => {
  let tsa: TsaResponder;
  beforeAll(async () => {
    tsa = await startTsaResponder();
  });
  afterAll(async () => tsa?.close());
  afterEach(() => {
    tsa.heal();
    tsa.requests.length = 0;
  });

  it('posts a DER TimeStampReq (SHA-256 imprint, a fresh nonce, certReq) and returns the token', async () => {
    const timestamper = new HttpTimestamper(tsa.url, FAST);
    const hashed = digest('signature value');
    const before = Date.now();
    const token = await timestamper.timestamp(hashed);
    await timestamper.timestamp(hashed);

    expect(tsa.requests).toHaveLength(2);
    const [first, second] = tsa.requests;
    expect(first!.contentType).toBe('application/timestamp-query');
    expect(first!.request.messageImprint.hashAlgorithm.algorithm).toBe(SHA256_OID);
    expect(Buffer.from(first!.request.messageImprint.hashedMessage.buffer)).toEqual(Buffer.from(hashed));
    expect(first!.request.certReq).toBe(true);
    expect(first!.request.nonce!.byteLength).toBeGreaterThanOrEqual(8);
    expect(integer(first!.request.nonce!)).not.toBe(integer(second!.request.nonce!));

    const info = readTimestampToken(token);
    expect(Buffer.from(info.imprint)).toEqual(Buffer.from(hashed));
    expect(integer(info.nonce!)).toBe(integer(first!.request.nonce!));
    expect(info.genTime.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  });

  it('retries a TSA that answers 500, with backoff, and succeeds when it comes back', async () => {
    tsa.fail('http500', 2);
    const started = performance.now();
    const token = await new HttpTimestamper(tsa.url, FAST).timestamp(digest('x'));
    expect(readTimestampToken(token).imprint).toEqual(digest('x'));
    expect(tsa.requests).toHaveLength(3);
    // Two waits: 20 ms, then 40 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('gives up after its attempts on a TSA that keeps failing, naming the TSA', async () => {
    tsa.fail('http500');
    const timestamper = new HttpTimestamper(tsa.url, { ...FAST, attempts: 4 });
    await expect(timestamper.timestamp(digest('x'))).rejects.toThrow(
      `the time-stamping authority at ${tsa.url} did not answer after 4 attempt(s): HTTP 500`,
    );
    expect(tsa.requests).toHaveLength(4);
  });

  it('times out each attempt on a TSA that never answers', async () => {
    tsa.fail('hang');
    const timestamper = new HttpTimestamper(tsa.url, { backoffMs: 10, attemptTimeoutMs: 150, attempts: 2 });
    const started = performance.now();
    await expect(timestamper.timestamp(digest('x'))).rejects.toThrow(
      new RegExp(`at ${tsa.url} did not answer after 2 attempt\\(s\\): no answer within 150 ms`),
    );
    expect(tsa.requests).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('retries when nothing listens, then names the TSA and the network error', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/tsa`;
    await expect(new HttpTimestamper(url, FAST).timestamp(digest('x'))).rejects.toThrow(
      new RegExp(
        `at ${url.replace(/[.]/g, '\\.')} did not answer after 3 attempt\\(s\\): fetch failed \\(ECONNREFUSED\\)`,
      ),
    );
  });

  it('refuses a token for another imprint, without retrying', async () => {
    tsa.fail('wrongImprint');
    await expect(new HttpTimestamper(tsa.url, FAST).timestamp(digest('x'))).rejects.toThrow(
      `the time-stamping authority at ${tsa.url} sent an unusable token: the time-stamp token stamps another message imprint than the one requested`,
    );
    expect(tsa.requests).toHaveLength(1);
  });

  it('refuses a token that does not echo the nonce', async () => {
    tsa.fail('wrongNonce');
    await expect(new HttpTimestamper(tsa.url, FAST).timestamp(digest('x'))).rejects.toThrow(
      /sent a token with another nonce than the request/,
    );
    expect(tsa.requests).toHaveLength(1);
  });

  it('reports a rejection with the TSA’s text, and a 400 without retrying', async () => {
    tsa.fail('rejection', 1);
    await expect(new HttpTimestamper(tsa.url, FAST).timestamp(digest('x'))).rejects.toThrow(
      /did not grant a timestamp: status rejection \(policy not supported\)/,
    );
    tsa.fail('http400', 1);
    await expect(new HttpTimestamper(tsa.url, FAST).timestamp(digest('x'))).rejects.toThrow(
      `the time-stamping authority at ${tsa.url} refused the request: HTTP 400`,
    );
    expect(tsa.requests).toHaveLength(2);
  });

  it('refuses what is not a SHA-256 digest or an http(s) URL', async () => {
    await expect(new HttpTimestamper(tsa.url).timestamp(new Uint8Array(20))).rejects.toThrow(
      /32 bytes, got 20/,
    );
    expect(() => new HttpTimestamper('ftp://tsa.example.com')).toThrow(/http or https/);
    expect(() => new HttpTimestamper('not a url')).toThrow(/not a URL/);
    expect(tsa.requests).toHaveLength(0);
  });
});
