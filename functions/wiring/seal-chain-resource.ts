import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { KmsSealSigner } from '../adapters/kms/kms-seal-signer';
import { S3ChainStore } from '../adapters/s3/chain-store';
import type { SealSigner } from '../core/ports';
import { ensureSealChain, type ChainStore } from '../core/usecases/ensure-seal-chain';

/** The properties the stack gives the custom resource (CloudFormation passes them as strings). */
export interface SealChainProperties {
  Bucket: string;
  ChainObject: string;
  SealKeyArn: string;
  RootKeyArn: string;
  Organization: string;
  Years?: string;
  ImportedChainPem?: string;
}

export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: SealChainProperties;
}

export interface SealChainDeps {
  signers(props: SealChainProperties): { root: SealSigner; seal: SealSigner };
  store(props: SealChainProperties): ChainStore;
  now(): Date;
}

const awsDeps: SealChainDeps = {
  signers: (props) => {
    const kms = new KMSClient({});
    return {
      root: new KmsSealSigner(kms, props.RootKeyArn, 'from-key'),
      seal: new KmsSealSigner(kms, props.SealKeyArn, 'from-key'),
    };
  },
  store: (props) => new S3ChainStore(new S3Client({}), props.Bucket),
  now: () => new Date(),
};

/**
 * The deployment's seal chain (an AWS CloudFormation custom resource): on create and update, makes
 * sure a chain for the seal key is where the seal reads it (kept, imported, or issued through the
 * root key); on delete, leaves it (sealed PDFs carry their chains, and the bucket is retained).
 * Answers CloudFormation on the presigned ResponseURL whatever happens, so a stack never hangs.
 */
export function makeSealChainResource(deps: SealChainDeps = awsDeps) {
  return async (event: CustomResourceEvent): Promise<void> => {
    const props = event.ResourceProperties;
    let outcome: { Status: 'SUCCESS' | 'FAILED'; Reason?: string; Data?: Record<string, string> };
    try {
      if (event.RequestType === 'Delete') {
        outcome = { Status: 'SUCCESS' };
      } else {
        const result = await ensureSealChain(
          { ...deps.signers(props), store: deps.store(props) },
          {
            object: props.ChainObject,
            organization: props.Organization,
            years: Number(props.Years ?? '3'),
            now: deps.now(),
            ...(props.ImportedChainPem ? { importedPem: props.ImportedChainPem } : {}),
          },
        );
        console.log(JSON.stringify({ level: 'info', message: 'seal chain', ...result }));
        outcome = {
          Status: 'SUCCESS',
          Data: { SealCertificateSha256: result.sealSha256, Action: result.action },
        };
      }
    } catch (error) {
      console.error(JSON.stringify({ level: 'error', message: 'seal chain failed', error: String(error) }));
      outcome = { Status: 'FAILED', Reason: error instanceof Error ? error.message : String(error) };
    }
    const body = JSON.stringify({
      ...outcome,
      PhysicalResourceId: event.PhysicalResourceId ?? `seal-chain-${props.ChainObject}`,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    });
    // The presigned URL was signed without a content type: send none.
    const res = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
    if (!res.ok) throw new Error(`CloudFormation did not take the answer: ${res.status}`);
  };
}
