import { GetObjectLegalHoldCommand, PutObjectLegalHoldCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LegalHolds } from '../../core/ports';

/** Legal holds through S3 Object Lock on the documents bucket (which has Object Lock enabled). */
export class S3LegalHolds implements LegalHolds {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async setLegalHold(key: string, on: boolean): Promise<void> {
    await this.s3.send(
      new PutObjectLegalHoldCommand({
        Bucket: this.bucket,
        Key: key,
        LegalHold: { Status: on ? 'ON' : 'OFF' },
      }),
    );
  }

  async isOnLegalHold(key: string): Promise<boolean> {
    try {
      const res = await this.s3.send(new GetObjectLegalHoldCommand({ Bucket: this.bucket, Key: key }));
      return res.LegalHold?.Status === 'ON';
    } catch (error) {
      // An object that never had a hold answers this error rather than OFF.
      if ((error as { name?: string }).name === 'NoSuchObjectLockConfiguration') return false;
      throw error;
    }
  }
}
