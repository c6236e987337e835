import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';

export interface SignatureBox {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A two-page support maintenance agreement for the demo, with a labelled signature box per
 * party on page 2. Box coordinates are returned in the API's convention (top-left origin).
 */
export async function demoContract(parties: string[]): Promise<{ pdf: Uint8Array; boxes: SignatureBox[] }> {
  const doc = await PDFDocument.create();
  doc.setTitle('Support Maintenance Agreement');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const [w, h] = [612, 792];

  const first = doc.addPage([w, h]);
  first.drawText('Support Maintenance Agreement', { x: 72, y: h - 90, size: 20, font: bold });
  const terms = [
    'This agreement sets out the support the Vendor provides to the Customer for the licensed',
    'software, and the service levels that apply.',
    '',
    '1. Coverage. Incidents reported through the support portal, 24x7 for severity 1, business',
    '   hours (Mon-Fri 08:00-18:00, customer time zone) for severities 2 to 4.',
    '2. Response targets. Severity 1: 30 minutes. Severity 2: 2 business hours.',
    '   Severity 3: 1 business day. Severity 4: 3 business days.',
    '3. Resolution targets. Severity 1: 4 hours. Severity 2: 2 business days.',
    '4. Service credits. 5% of the monthly fee per missed severity 1 target, capped at 25%.',
    '5. Term. Twelve months from the effective date, renewing yearly unless either party gives',
    '   60 days notice.',
    '6. Fees. EUR 4,800 per month, invoiced monthly in advance.',
  ];
  terms.forEach((line, i) => first.drawText(line, { x: 72, y: h - 140 - i * 18, size: 11, font }));

  const second = doc.addPage([w, h]);
  second.drawText('Signatures', { x: 72, y: h - 90, size: 16, font: bold });
  const boxes = parties.map((party, i) => {
    const box = { page: 2, x: 72, y: 140 + i * 130, width: 260, height: 70 };
    second.drawText(party, { x: box.x, y: h - box.y + 8, size: 11, font: bold });
    second.drawRectangle({
      x: box.x,
      y: h - box.y - box.height,
      width: box.width,
      height: box.height,
      borderColor: rgb(0.6, 0.6, 0.6),
      borderWidth: 0.8,
    });
    return box;
  });
  return { pdf: await doc.save(), boxes };
}
