import { createHash } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTimestampToken } from '../../functions/core/pdf-seal/timestamp';
import { startTestService, type TestService } from '../support/service';
import { startTsaResponder, type TsaResponder } from '../support/tsa-responder';

/**
 * The local mode's seal options, read from COUNTERSIGN_TSA_URL and COUNTERSIGN_SEAL_KEY_SPEC:
 * a TSA becomes the timestamper port exactly as TSA_URL does in AWS, and RSA_3072 gives local
 * RSA-3072 seal and root keys.
 */
describe('the local service with a TSA and RSA seal keys from its environment', () => {
  let tsa: TsaResponder;
  let service: TestService;
  const saved = { tsa: process.env.COUNTERSIGN_TSA_URL, spec: process.env.COUNTERSIGN_SEAL_KEY_SPEC };

  beforeAll(async () => {
    tsa = await startTsaResponder();
    process.env.COUNTERSIGN_TSA_URL = tsa.url;
    process.env.COUNTERSIGN_SEAL_KEY_SPEC = 'RSA_3072';
    try {
      service = await startTestService();
    } finally {
      process.env.COUNTERSIGN_TSA_URL = saved.tsa;
      process.env.COUNTERSIGN_SEAL_KEY_SPEC = saved.spec;
      if (saved.tsa === undefined) delete process.env.COUNTERSIGN_TSA_URL;
      if (saved.spec === undefined) delete process.env.COUNTERSIGN_SEAL_KEY_SPEC;
    }
  });
  afterAll(async () => {
    await service?.close();
    await tsa?.close();
  });

  it('passes the TSA through the configuration to the timestamper port', async () => {
    expect(service.config.tsaUrl).toBe(tsa.url);
    const digest = new Uint8Array(createHash('sha256').update('local').digest());
    const token = await service.ports.timestamper!.timestamp(digest);
    expect(readTimestampToken(token).imprint).toEqual(digest);
    expect(tsa.requests).toHaveLength(1);
  });

  it('seals with an RSA-3072 key under an RSA-3072 root', async () => {
    expect(service.ports.seal.signer.algorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
    const [seal, root] = (await service.ports.seal.chain()).map((der) => new X509Certificate(der));
    expect(seal!.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(root!.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(seal!.checkIssued(root!)).toBe(true);
  });

  it('refuses an unknown key spec', async () => {
    process.env.COUNTERSIGN_SEAL_KEY_SPEC = 'RSA_1024';
    try {
      await expect(startTestService()).rejects.toThrow(
        /COUNTERSIGN_SEAL_KEY_SPEC must be ECC_NIST_P256 or RSA_3072/,
      );
    } finally {
      delete process.env.COUNTERSIGN_SEAL_KEY_SPEC;
    }
  });
});
