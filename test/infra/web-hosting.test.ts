import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { webContentSecurityPolicy } from '../../infra/web-hosting';
import { buildTestApp, logicalIdOf, synthTemplate } from './support';

const { stages } = buildTestApp();
const dev = synthTemplate(stages.dev.web);
const api = synthTemplate(stages.dev.api);
const web = stages.dev.web.hosting;

describe('the web apps behind CloudFront', () => {
  it('the bucket is private, KMS-encrypted and TLS only; CloudFront reads it through origin access control', () => {
    dev.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const policy = JSON.stringify(
      Object.values(dev.json.Resources).find(
        (r) =>
          r.Type === 'AWS::S3::BucketPolicy' &&
          JSON.stringify(r.Properties).includes(logicalIdOf(web.bucket)),
      ),
    );
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('cloudfront.amazonaws.com');
    dev.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  });

  it('serves the pages over HTTPS with the strict headers, and /v1/* from the API uncached', () => {
    const distribution = dev.json.Resources[logicalIdOf(web.distribution)]!.Properties as any;
    const config = distribution.DistributionConfig;
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const api = config.CacheBehaviors.find((b: any) => b.PathPattern === '/v1/*');
    expect(api).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['POST', 'PUT', 'GET', 'OPTIONS']),
      // CachingDisabled and AllViewerExceptHostHeader (managed policies).
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    const headers = dev.json.Resources[logicalIdOf(web.headers)]!.Properties as any;
    const security = headers.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(security.StrictTransportSecurity).toMatchObject({ IncludeSubdomains: true, Override: true });
    expect(security.FrameOptions.FrameOption).toBe('DENY');
    expect(security.ReferrerPolicy.ReferrerPolicy).toBe('no-referrer');
    expect(security.ContentTypeOptions.Override).toBe(true);
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    // Both behaviours carry the headers.
    expect(api.ResponseHeadersPolicyId).toEqual(config.DefaultCacheBehavior.ResponseHeadersPolicyId);
  });

  it('the CSP lets the pages fetch presigned documents from the stage region only', () => {
    const csp = webContentSecurityPolicy('eu-west-1');
    expect(csp).toMatch(/connect-src 'self' https:\/\/\*\.s3\.eu-west-1\.amazonaws\.com/);
    expect(csp).toContain('https://*.auth.eu-west-1.amazoncognito.com');
    expect(csp).not.toMatch(/\*\.amazonaws\.com(?!.)/);
  });

  it('serves /sign and /console from their index pages, and sends /, /sign/ and /console/ there', () => {
    const fn = Object.values(dev.json.Resources).find((r) => r.Type === 'AWS::CloudFront::Function')!;
    const code = (fn.Properties as any).FunctionCode as string;
    const handler = new Function(`${code}; return handler;`)() as (e: unknown) => any;
    const run = (uri: string) => handler({ request: { uri } });
    expect(run('/sign').uri).toBe('/sign/index.html');
    expect(run('/console').uri).toBe('/console/index.html');
    expect(run('/console/main.js').uri).toBe('/console/main.js');
    expect(run('/console/').headers.location.value).toBe('/console');
    expect(run('/').headers.location.value).toBe('/console');
  });

  it('deploys the built apps with the console configuration: the hosted login of the pool and its client', () => {
    const deployment = Object.values(dev.json.Resources).find(
      (r) => r.Type === 'Custom::CDKBucketDeployment',
    );
    expect(deployment).toBeDefined();
    const props = deployment!.Properties as any;
    expect(JSON.stringify(props.DestinationBucketName)).toContain(logicalIdOf(web.bucket));
    expect(props.DistributionPaths).toEqual(['/*']);
    // The markers of Source.jsonData resolve the client id and the login domain at deployment.
    const markers = JSON.stringify(props.SourceMarkers);
    expect(markers).toContain(logicalIdOf(stages.dev.api.userPoolClient));
    // A stack of its own: it reads the API's origin and the sign-in from the API stack's outputs.
    expect(Object.keys(dev.json.Outputs ?? {})).toContain('WebUrl');
    expect(JSON.stringify(dev.json)).toMatch(/Fn::(GetStackOutput|ImportValue)/);
    api.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', ['countersign-dev-', { Ref: 'AWS::AccountId' }]] },
    });
    api.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: Match.arrayWith([Match.stringLikeRegexp('/console$')]),
      LogoutURLs: Match.arrayWith([Match.stringLikeRegexp('/console$')]),
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: Match.arrayWith(['openid', 'email', 'profile']),
      GenerateSecret: false,
    });
  });
});
