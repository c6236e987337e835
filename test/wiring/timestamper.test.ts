import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/api/route-manifest';
import { HttpTimestamper } from '../../functions/adapters/tsa/http-timestamper';
import { readTimestampToken } from '../../functions/core/pdf-seal/timestamp';
import { readServiceConfig } from '../../functions/wiring/config';
import { buildPorts } from '../../functions/wiring/ports';
import { startTsaResponder, type TsaResponder } from '../support/tsa-responder';

/** TSA_URL in the environment of a function becomes the `timestamper` port; without it there is none. */

const BASE_ENV = {
  AWS_REGION: 'eu-central-1',
  [ENV.stage]: 'dev',
  [ENV.tableName]: 'countersign-dev-envelopes',
  [ENV.documentsBucket]: 'documents',
  [ENV.stagingBucket]: 'staging',
  [ENV.retentionDays]: '1',
  [ENV.mailFrom]: 'countersign@example.com',
  [ENV.publicUrl]: 'https://countersign.example.com',
};

describe('the timestamper port from TSA_URL', () => {
  let tsa: TsaResponder;
  beforeAll(async () => {
    tsa = await startTsaResponder();
  });
  afterAll(async () => tsa?.close());

  it('reads TSA_URL, and refuses one that is not an http(s) URL', () => {
    expect(readServiceConfig({ ...BASE_ENV, [ENV.tsaUrl]: tsa.url }).tsaUrl).toBe(tsa.url);
    expect(readServiceConfig(BASE_ENV).tsaUrl).toBeUndefined();
    expect(readServiceConfig({ ...BASE_ENV, [ENV.tsaUrl]: '' }).tsaUrl).toBeUndefined();
    expect(() => readServiceConfig({ ...BASE_ENV, [ENV.tsaUrl]: 'ftp://tsa.example.com' })).toThrow(
      /invalid service configuration: tsaUrl: the TSA URL must be http or https/,
    );
    expect(() => readServiceConfig({ ...BASE_ENV, [ENV.tsaUrl]: 'tsa' })).toThrow(/tsaUrl/);
  });

  it('builds an HTTP timestamper for the configured TSA, and none without one', async () => {
    const ports = buildPorts(readServiceConfig({ ...BASE_ENV, [ENV.tsaUrl]: tsa.url }));
    expect(ports.timestamper).toBeInstanceOf(HttpTimestamper);
    const digest = new Uint8Array(createHash('sha256').update('seal').digest());
    const token = await ports.timestamper!.timestamp(digest);
    expect(readTimestampToken(token).imprint).toEqual(digest);
    expect(tsa.requests).toHaveLength(1);

    expect(buildPorts(readServiceConfig(BASE_ENV)).timestamper).toBeUndefined();
    expect('timestamper' in buildPorts(readServiceConfig(BASE_ENV))).toBe(false);
  });
});
