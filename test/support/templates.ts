import { readFileSync } from 'node:fs';
import { makePdf, toBase64 } from './pdf';

/** The example terms of the SLA engine's contract, beside the repository. */
export const exampleTerms = (): Record<string, any> =>
  JSON.parse(readFileSync(new URL('../../../shared/sla/example-terms.json', import.meta.url), 'utf8'));

/**
 * A two-page maintenance contract template: a customer signer (step 1) who fills one field of
 * every type, a vendor approver (step 2), a carbon copy for procurement, merge fields for the
 * customer, the fee and the start date, and the example SLA terms with the schedule after page 1.
 */
export async function templateBody(overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const pdf = await makePdf(
    [
      [612, 792],
      [612, 792],
    ],
    'Support maintenance agreement',
  );
  return {
    name: 'Support maintenance agreement',
    description: 'Premium support with SLA schedule',
    document: { name: 'support-agreement.pdf', contentBase64: toBase64(pdf) },
    roles: [
      { name: 'customer', role: 'signer', step: 1 },
      { name: 'vendor', role: 'approver', step: 2 },
      { name: 'procurement', role: 'carbon_copy', step: 2 },
    ],
    fields: [
      {
        name: 'customer_signature',
        type: 'signature',
        role: 'customer',
        page: 2,
        x: 72,
        y: 560,
        width: 200,
        height: 50,
        required: true,
      },
      {
        name: 'customer_initials',
        type: 'initials',
        role: 'customer',
        page: 1,
        x: 500,
        y: 740,
        width: 60,
        height: 30,
        required: true,
      },
      {
        name: 'signed_on',
        type: 'date_signed',
        role: 'customer',
        page: 2,
        x: 300,
        y: 575,
        width: 120,
        height: 20,
      },
      {
        name: 'po_number',
        type: 'text',
        role: 'customer',
        page: 2,
        x: 72,
        y: 480,
        width: 200,
        height: 20,
        required: true,
        validation: { pattern: '^PO-[0-9]{4,8}$' },
      },
      {
        name: 'seats',
        type: 'number',
        role: 'customer',
        page: 2,
        x: 72,
        y: 450,
        width: 80,
        height: 20,
        validation: { min: 1, max: 500 },
      },
      {
        name: 'go_live',
        type: 'date',
        role: 'customer',
        page: 2,
        x: 72,
        y: 420,
        width: 120,
        height: 20,
        validation: { min: '2025-01-01', max: '2027-12-31' },
      },
      {
        name: 'accept_dpa',
        type: 'checkbox',
        role: 'customer',
        page: 2,
        x: 72,
        y: 390,
        width: 14,
        height: 14,
        required: true,
      },
      {
        name: 'support_tier',
        type: 'dropdown',
        role: 'customer',
        page: 2,
        x: 72,
        y: 360,
        width: 150,
        height: 20,
        required: true,
        validation: { options: ['Standard', 'Premium', 'Enterprise'] },
      },
    ],
    mergeFields: [
      { key: 'customer.name', page: 1, x: 72, y: 120, width: 300, height: 18 },
      { key: 'fee.monthly', page: 1, x: 72, y: 150, width: 200, height: 18 },
      { key: 'effective_from', page: 1, x: 72, y: 180, width: 200, height: 18, required: false },
    ],
    message: 'Please review and sign the support agreement.',
    slaTerms: exampleTerms(),
    scheduleAfterPage: 1,
    contract: {
      termMonths: 12,
      renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 60, reminderDays: 30 },
      owners: ['support-manager@customer.example'],
    },
    expiresInDays: 30,
    ...overrides,
  };
}
