import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ApiStack } from './api-stack';
import type { StageConfig } from './stages';
import { WebHosting } from './web-hosting';

export interface WebStackProps extends StackProps {
  config: StageConfig;
  api: ApiStack;
}

/**
 * The web apps (signing page and console) in their bucket behind CloudFront, with the API behind
 * the same origin. A stack of its own beside the API stack, which is near CloudFormation's 500
 * resources: it depends on the API stack (the API as origin, the console's sign-in) and nothing
 * depends on it (signing links use the stage's configured public URL).
 */
export class WebStack extends Stack {
  readonly hosting: WebHosting;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config, api } = props;
    this.hosting = new WebHosting(this, 'Web', {
      stage: config.name,
      api: api.api,
      consoleConfig: {
        apiUrl: '',
        auth: {
          kind: 'cognito',
          domain: api.loginDomain.baseUrl(),
          clientId: api.userPoolClient.userPoolClientId,
          redirectUri: `${config.publicUrl}/console`,
        },
      },
    });
    new CfnOutput(this, 'WebUrl', { value: `https://${this.hosting.distribution.distributionDomainName}` });
  }
}
