import { App, Tags, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import cdkNag from 'cdk-nag';
import { ApiStack } from './api-stack';
import { WebStack } from './web-stack';
import { StatefulStack } from './stateful-stack';
import { STAGE_NAMES, stackName, stageConfigs } from './stages';
import type { DeployEnv, StageName } from './stages';

// cdk-nag is CommonJS without statically detectable named exports: import the namespace object.
const { AwsSolutionsChecks } = cdkNag;

export interface BuildAppOptions {
  /** Account and region for every stage; undefined values make environment-agnostic stacks. */
  env?: DeployEnv;
  /** Passed to `new App()` (context, outdir). */
  appProps?: AppProps;
  /** Register the cdk-nag AwsSolutions checks (default true). */
  nag?: boolean;
}

export interface StageStacks {
  stateful: StatefulStack;
  api: ApiStack;
  web: WebStack;
}

export interface CountersignApp {
  app: App;
  stages: Record<StageName, StageStacks>;
}

/** Builds the whole app: for each stage a stateful and an API stack. Reads no environment. */
export function buildApp(options: BuildAppOptions = {}): CountersignApp {
  const app = new App(options.appProps);
  const configs = stageConfigs(options.env ?? {});
  const stages = {} as Record<StageName, StageStacks>;

  for (const name of STAGE_NAMES) {
    const config = configs[name];
    const env = { account: config.env.account, region: config.env.region };
    const stateful = new StatefulStack(app, stackName(name, 'Stateful'), {
      stackName: stackName(name, 'Stateful'),
      description: `Countersign ${name}: table, document buckets and keys (retained, termination-protected)`,
      env,
      config,
    });
    const api = new ApiStack(app, stackName(name, 'Api'), {
      stackName: stackName(name, 'Api'),
      description: `Countersign ${name}: Cognito, REST API, functions and the signing route`,
      env,
      config,
      stateful: { names: stateful.names, dataKey: stateful.dataKey, sealKey: stateful.sealKey },
    });
    api.addStackDependency(stateful);
    const web = new WebStack(app, stackName(name, 'Web'), {
      stackName: stackName(name, 'Web'),
      description: `Countersign ${name}: the signing page and console behind CloudFront, with the API at /v1/*`,
      env,
      config,
      api,
    });
    web.addStackDependency(api);
    for (const stack of [stateful, api, web]) {
      Tags.of(stack).add('app', 'countersign');
      Tags.of(stack).add('stage', name);
    }
    stages[name] = { stateful, api, web };
  }

  if (options.nag ?? true) {
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
    );
  }
  return { app, stages };
}
