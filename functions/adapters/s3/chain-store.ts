import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ChainStore } from '../../core/usecases/ensure-seal-chain';

/** Certificate chains as PEM objects in the documents bucket (KMS-encrypted, under Object Lock). */
export class S3ChainStore implements ChainStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async read(key: string): Promise<string | null> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await res.Body!.transformToString();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  async write(key: string, pem: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: pem,
        ContentType: 'application/x-pem-file',
      }),
    );
  }
}
