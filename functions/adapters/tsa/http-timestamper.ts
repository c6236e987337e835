import { randomBytes } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, PKIStatus, TimeStampReq, TimeStampResp } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { readTlv } from '../../core/pdf-seal/der';
import { SHA256_OID, checkTimestampImprint, type TimestampTokenInfo } from '../../core/pdf-seal/timestamp';
import type { Timestamper } from '../../core/ports';

/**
 * An RFC 3161 time-stamping authority over HTTP (RFC 3161, section 3.4): a DER TimeStampReq
 * POSTed as application/timestamp-query, a TimeStampResp back. Outages (network errors,
 * timeouts, 5xx, 429) are retried a few times with a doubling backoff, each attempt under its
 * own timeout; then the error names the TSA. Whatever the TSA grants is checked before it is
 * returned: its status, that the token stamps the imprint asked for, and that it echoes this
 * request's nonce (so an answer to another request, or a replayed one, is refused).
 */

export interface HttpTimestamperOptions {
  /** Tries in all, the first included (default 3). */
  attempts?: number;
  /** Time allowed for one attempt, answer body included (default 10 s). */
  attemptTimeoutMs?: number;
  /** Wait before the second attempt, doubled before each further one (default 500 ms). */
  backoffMs?: number;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

/** A TSA answer larger than this is not a time-stamp response. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** A failure worth another attempt: the TSA may be back in a moment. */
class Transient extends Error {}

const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** The value of INTEGER content octets, so that encodings with a leading zero compare equal. */
const integerValue = (bytes: Uint8Array) =>
  bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

const STATUS_NAMES: Record<number, string> = {
  [PKIStatus.rejection]: 'rejection',
  [PKIStatus.waiting]: 'waiting',
  [PKIStatus.revocationWarning]: 'revocationWarning',
  [PKIStatus.revocationNotification]: 'revocationNotification',
};

export class HttpTimestamper implements Timestamper {
  private readonly attempts: number;
  private readonly attemptTimeoutMs: number;
  private readonly backoffMs: number;
  private readonly fetch: typeof fetch;

  constructor(
    readonly url: string,
    options: HttpTimestamperOptions = {},
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`the TSA URL is not a URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error(`the TSA URL must be http or https: ${url}`);
    }
    this.attempts = options.attempts ?? 3;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
    this.backoffMs = options.backoffMs ?? 500;
    this.fetch = options.fetch ?? globalThis.fetch;
    if (!Number.isInteger(this.attempts) || this.attempts < 1 || this.attempts > 10) {
      throw new Error('a TSA is tried 1 to 10 times');
    }
  }

  async timestamp(sha256Digest: Uint8Array): Promise<Uint8Array> {
    if (sha256Digest.length !== 32) {
      throw new Error(`a SHA-256 digest is 32 bytes, got ${sha256Digest.length}`);
    }
    // Positive and minimally encoded: the first octet is 0x01-0x7f.
    const nonce = new Uint8Array(randomBytes(16));
    nonce[0] = (nonce[0]! & 0x7f) | 0x01;
    const request = new Uint8Array(
      AsnConvert.serialize(
        new TimeStampReq({
          messageImprint: new MessageImprint({
            hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA256_OID }),
            hashedMessage: new OctetString(toArrayBuffer(sha256Digest)),
          }),
          nonce: toArrayBuffer(nonce),
          certReq: true,
        }),
      ),
    );

    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await sleep(this.backoffMs * 2 ** (attempt - 2));
      let response: Uint8Array;
      try {
        response = await this.post(request);
      } catch (error) {
        if (!(error instanceof Transient)) throw error;
        lastError = error;
        continue;
      }
      return this.tokenFrom(response, sha256Digest, nonce);
    }
    throw new Error(
      `the time-stamping authority at ${this.url} did not answer after ${this.attempts} attempt(s): ${
        (lastError as Error).message
      }`,
      { cause: lastError },
    );
  }

  /** One attempt: the DER answer, or Transient for what another attempt may cure. */
  private async post(request: Uint8Array): Promise<Uint8Array> {
    const signal = AbortSignal.timeout(this.attemptTimeoutMs);
    try {
      const res = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
        body: request,
        signal,
      });
      if (res.status >= 500 || res.status === 429) {
        await res.body?.cancel();
        throw new Transient(`HTTP ${res.status}`);
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`the time-stamping authority at ${this.url} refused the request: HTTP ${res.status}`);
      }
      const body = new Uint8Array(await res.arrayBuffer());
      if (body.length > MAX_RESPONSE_BYTES) {
        throw new Error(`the time-stamping authority at ${this.url} answered ${body.length} bytes`);
      }
      return body;
    } catch (error) {
      if (error instanceof Transient) throw error;
      if (signal.aborted) throw new Transient(`no answer within ${this.attemptTimeoutMs} ms`);
      // fetch rejects with a TypeError for network failures (refused, reset, DNS).
      if (error instanceof TypeError) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new Transient(`${error.message}${cause ? ` (${cause.code ?? cause.message})` : ''}`);
      }
      throw error;
    }
  }

  private tokenFrom(response: Uint8Array, digest: Uint8Array, nonce: Uint8Array): Uint8Array {
    const fail = (why: string): never => {
      throw new Error(`the time-stamping authority at ${this.url} ${why}`);
    };
    let resp: TimeStampResp;
    try {
      resp = AsnConvert.parse(response, TimeStampResp);
    } catch (error) {
      return fail(`answered something that is not a time-stamp response: ${(error as Error).message}`);
    }
    const status = resp.status.status;
    if (status !== PKIStatus.granted && status !== PKIStatus.grantedWithMods) {
      const text = resp.status.statusString?.join('; ');
      return fail(
        `did not grant a timestamp: status ${STATUS_NAMES[status] ?? status}${text ? ` (${text})` : ''}`,
      );
    }
    if (!resp.timeStampToken) return fail('granted a timestamp but sent no token');
    const token = rawToken(response) ?? new Uint8Array(AsnConvert.serialize(resp.timeStampToken));
    let info: TimestampTokenInfo;
    try {
      info = checkTimestampImprint(token, digest);
    } catch (error) {
      return fail(`sent an unusable token: ${(error as Error).message}`);
    }
    if (!info.nonce || integerValue(info.nonce) !== integerValue(nonce)) {
      return fail('sent a token with another nonce than the request’s');
    }
    return token;
  }
}

/** The token exactly as the TSA encoded it (the second element of the response), if DER. */
function rawToken(response: Uint8Array): Uint8Array | undefined {
  try {
    const fields = readTlv(response).value;
    const status = readTlv(fields);
    const token = readTlv(fields, status.end);
    return fields.subarray(status.end, token.end);
  } catch {
    return undefined; // BER lengths: re-encoded instead
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
