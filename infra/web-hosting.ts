import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { Annotations, DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  FunctionCode,
  FunctionEventType,
  Function as CloudFrontFunction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type CfnBucket,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { nagResourceName } from './nag';

/** The web apps' sources; web/build.mts builds them into web/dist (sign/ and console/). */
export const WEB_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'web');
const WEB_DIST = path.join(WEB_ROOT, 'dist');

/**
 * The pages' Content Security Policy: everything from the distribution itself (the API is behind it
 * at /v1/*), documents from the stage's S3 endpoints through presigned URLs, no inline code.
 */
export function webContentSecurityPolicy(region: string): string {
  const s3 = `https://*.s3.${region}.amazonaws.com https://s3.${region}.amazonaws.com`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // Presigned documents from S3; the console's sign-in exchanges its code at the Cognito domain.
    `connect-src 'self' ${s3} https://*.auth.${region}.amazoncognito.com`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface WebHostingProps {
  stage: string;
  api: RestApi;
  /** What the console reads at /console/config.json: where the API is and how to sign in. */
  consoleConfig: Record<string, unknown>;
}

/**
 * The signing page and the console: a private bucket (KMS, TLS only) behind a CloudFront
 * distribution with origin access control, which also forwards /v1/* to the API so the pages talk
 * to their own origin; strict security headers on every answer.
 */
export class WebHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: WebHostingProps) {
    super(scope, id);
    const region = Stack.of(this).region;
    const key = new Key(this, 'Key', {
      enableKeyRotation: true,
      description: `Countersign ${props.stage}: the web apps' bucket`,
      // The bucket holds only build output, redeployed from the repository at every deployment.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Build output of the public web apps, replaced by every deployment and readable only through CloudFront (origin access control); requests are logged by the API behind /v1/*.',
    });

    this.headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: `Countersign ${props.stage}: security headers of the web apps`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: webContentSecurityPolicy(region), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true }],
      },
    });

    // The apps live at /sign and /console (their assets are relative to those paths): serve their
    // index.html there, send /sign/ and /console/ to them, and the bare domain to the console.
    const indexes = new CloudFrontFunction(this, 'Indexes', {
      comment: 'Serves the index pages of /sign and /console',
      code: FunctionCode.fromInline(
        [
          'function handler(event) {',
          '  var request = event.request;',
          '  var uri = request.uri;',
          "  var redirect = { '/': '/console', '/sign/': '/sign', '/console/': '/console' }[uri];",
          '  if (redirect) {',
          "    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: redirect } } };",
          '  }',
          "  if (uri === '/sign' || uri === '/console') request.uri = uri + '/index.html';",
          '  return request;',
          '}',
        ].join('\n'),
      ),
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Countersign ${props.stage}: signing page, console and API`,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        functionAssociations: [{ function: indexes, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new RestApiOrigin(props.api),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
        },
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
    });
    // The key policy lets CloudFront distributions of this account decrypt (origin access control):
    // naming this distribution would be a cycle (key -> distribution -> bucket -> key).
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac',
      'Scoped to CloudFront distributions of this account; the bucket holds only the public web build.',
    );
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Recipients sign from anywhere: no geographic restriction.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The API behind /v1/* is throttled per stage and every route validates its input; a WAF web ACL can be attached per deployment where the organisation runs one.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Standard logging needs an ACL-enabled bucket, which the stage keeps disabled; API requests are logged by API Gateway access logs.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default CloudFront certificate allows older TLS; a stage with its own domain sets a certificate with TLSv1.2_2021. HSTS is sent on every answer.',
      },
    );

    const deployment = new BucketDeployment(this, 'Deploy', {
      sources: [
        // The sources are the asset (their hash decides a redeployment); the build is its bundling.
        Source.asset(WEB_ROOT, {
          exclude: ['dist'],
          bundling: {
            // Built on the machine that synthesizes (no container): web/build.mts writes web/dist.
            image: DockerImage.fromRegistry('none'),
            local: {
              tryBundle(outputDir: string) {
                const root = path.resolve(WEB_ROOT, '..');
                execFileSync(process.execPath, ['--import', 'tsx', path.join(WEB_ROOT, 'build.mts')], {
                  cwd: root,
                  stdio: 'ignore',
                });
                cpSync(WEB_DIST, outputDir, { recursive: true });
                return true;
              },
            },
          },
        }),
        Source.jsonData('console/config.json', props.consoleConfig),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });

    // The deployment's handler is CDK's own (a Python function with the AWS CLI layer).
    const stack = Stack.of(this);
    const because = (detail: string) =>
      `CDK BucketDeployment handler that copies the built web apps: ${detail}`;
    Validations.of(deployment.handlerRole).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: because('the managed policy lets it write its own logs, nothing else.'),
      },
      ...[
        's3:GetBucket*',
        's3:GetObject*',
        's3:List*',
        's3:Abort*',
        's3:DeleteObject*',
        'kms:GenerateDataKey*',
        'kms:ReEncrypt*',
      ].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: because(
          'grant* on the CDK assets bucket (read) and on this web bucket and its key (replace the files).',
        ),
      })),
      {
        id: `AwsSolutions-IAM5[Resource::${nagResourceName(this, `arn:${stack.partition}:s3:::cdk-hnb659fds-assets-${stack.account}-${stack.region}/*`)}]`,
        reason: because('reads the uploaded asset from the CDK bootstrap bucket.'),
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
        reason: because('writes and deletes the objects of this one bucket.'),
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: because(
          'cloudfront:CreateInvalidation after a deployment, and X-Ray; CDK grants them on "*".',
        ),
      },
    );
    for (const handler of Stack.of(this).node.children.filter((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    )) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason: because('its runtime is chosen and updated by CDK.'),
      });
    }
  }
}
