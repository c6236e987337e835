/**
 * The SLA terms schema (functions/core/sla/terms.schema.json) as a validator compiled at build time
 * by ajv's standalone code generator (web/build.mts): plain code, so the console's CSP needs no
 * `unsafe-eval`.
 */
declare module 'virtual:sla-terms-validator' {
  export interface SchemaError {
    /** JSON Pointer of the value: `/targets/0/severity`. */
    instancePath: string;
    keyword: string;
    params: Record<string, unknown>;
    message?: string;
  }
  export const validate: ((data: unknown) => boolean) & { errors?: SchemaError[] | null };
}
