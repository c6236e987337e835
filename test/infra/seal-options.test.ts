import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/api/route-manifest';
import { ApiStack } from '../../infra/api-stack';
import { StatefulStack } from '../../infra/stateful-stack';
import { checkStageConfig, stageConfigs, type StageConfig } from '../../infra/stages';
import { buildTestApp, cdkJsonContext, logicalIdOf, synthTemplate, type TemplateJson } from './support';

/**
 * The per-stage seal options: the seal key spec (ECC_NIST_P256 by default, RSA_3072 as an option)
 * and a TSA URL that only the Seal task is given. A stage with both is built here beside the
 * real stages, whose templates stay as they were.
 */

const TSA_URL = 'https://tsa.example.com/rfc3161';

function customStage(config: StageConfig) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stateful = new StatefulStack(app, 'Countersign-dev-Stateful', { config });
  const api = new ApiStack(app, 'Countersign-dev-Api', {
    config,
    stateful: { names: stateful.names, dataKey: stateful.dataKey, sealKey: stateful.sealKey },
  });
  return { stateful, api };
}

const dev = stageConfigs({}).dev;
const custom = customStage({ ...dev, sealKeySpec: 'RSA_3072', tsaUrl: TSA_URL });
const customStateful = synthTemplate(custom.stateful).json;
const customApi = synthTemplate(custom.api).json;
const real = buildTestApp().stages;

function variables(json: TemplateJson, logicalId: string): Record<string, unknown> {
  return (json.Resources[logicalId]?.Properties?.Environment as { Variables: Record<string, unknown> })
    .Variables;
}

describe('per-stage seal options', () => {
  it('RSA_3072: both seal keys are RSA_3072 for SIGN_VERIFY, under their pinned logical ids', () => {
    for (const id of ['SealKey', 'SealRootKey']) {
      expect(customStateful.Resources[id]?.Type, id).toBe('AWS::KMS::Key');
      expect(customStateful.Resources[id]?.Properties, id).toMatchObject({
        KeySpec: 'RSA_3072',
        KeyUsage: 'SIGN_VERIFY',
        EnableKeyRotation: false,
      });
      expect(customStateful.Resources[id], id).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
    expect(logicalIdOf(custom.stateful.sealKey)).toBe('SealKey');
    expect(logicalIdOf(custom.stateful.rootKey)).toBe('SealRootKey');
  });

  it('the default stays ECC_NIST_P256 in the real stages', () => {
    for (const stage of [real.dev, real.prod]) {
      const json = synthTemplate(stage.stateful).json;
      expect(stage.stateful.config.sealKeySpec).toBeUndefined();
      expect(json.Resources.SealKey?.Properties?.KeySpec).toBe('ECC_NIST_P256');
      expect(json.Resources.SealRootKey?.Properties?.KeySpec).toBe('ECC_NIST_P256');
    }
  });

  it('tsaUrl becomes TSA_URL of the Seal task, and of no other function', () => {
    const functions = [
      ...Object.entries(custom.api.routeFunctions),
      ...Object.entries(custom.api.taskFunctions),
    ];
    expect(functions.length).toBeGreaterThan(10);
    for (const [name, fn] of functions) {
      const value = variables(customApi, logicalIdOf(fn))[ENV.tsaUrl];
      expect(value, name).toBe(name === 'Seal' ? TSA_URL : undefined);
    }
    // Without it (the real stages), nobody has TSA_URL: seals are B-B.
    for (const stage of [real.dev, real.prod]) {
      const json = synthTemplate(stage.api).json;
      for (const fn of [
        ...Object.values(stage.api.routeFunctions),
        ...Object.values(stage.api.taskFunctions),
      ]) {
        expect(variables(json, logicalIdOf(fn))[ENV.tsaUrl]).toBeUndefined();
      }
    }
    expect(ENV.tsaUrl).toBe('TSA_URL');
  });

  it('refuses a tsaUrl that is not an http(s) URL at synth', () => {
    expect(() => checkStageConfig({ ...dev, tsaUrl: TSA_URL })).not.toThrow();
    expect(() => checkStageConfig({ ...dev, tsaUrl: 'http://127.0.0.1:3180' })).not.toThrow();
    expect(() => checkStageConfig({ ...dev, tsaUrl: 'tsa.example.com' })).toThrow(/dev: tsaUrl must be/);
    expect(() => checkStageConfig({ ...dev, tsaUrl: 'ftp://tsa.example.com' })).toThrow(/http or https/);
  });
});
