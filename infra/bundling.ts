import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** How every function is bundled: ESM for Node.js 24, minified, with source maps. */
export const BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  platform: 'node',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
  // Bundle the SDK versions pinned in package-lock.json instead of the runtime's copy.
  externalModules: [],
  forceDockerBundling: false,
} as const satisfies BundlingOptions;
