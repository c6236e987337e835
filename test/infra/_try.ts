import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildTestApp } from './support';
const { app } = buildTestApp({ nag: true, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
const asm = app.synth();
const f = path.join(asm.directory, 'validation-report.json');
console.log(readFileSync(f, 'utf8'));
