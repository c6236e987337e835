import type { MailMessage } from '../ports';
import type { ContractState, NoticeWindowOpenedData } from './contract';

const titleOf = (c: ContractState) => c.title ?? `contract ${c.id}`;
const partiesOf = (c: ContractState) =>
  c.parties.map((p) => `  ${p.role}: ${p.name}${p.organisation ? ` (${p.organisation})` : ''}`);

/** To the owners when the notice window opens: what renews, and by when notice must be given. */
export function noticeWindowMail(c: ContractState, d: NoticeWindowOpenedData): MailMessage {
  const renewal = c.term.renewal;
  const months = renewal.mode === 'auto' ? renewal.renewalMonths : 0;
  return {
    to: d.to,
    subject: `Renewal notice due by ${d.noticeDeadline}: ${titleOf(c)}`,
    text: [
      `"${titleOf(c)}" ends on ${d.forEnd} and renews automatically for ${months} month(s) unless notice of non-renewal is given.`,
      '',
      `The last day to give notice is ${d.noticeDeadline} (dates in ${c.term.timeZone}).`,
      'To let it end, record the notice of non-renewal (POST /v1/contracts/{id}/non-renewal) and send it to the other party as the contract requires.',
      '',
      'Parties:',
      ...partiesOf(c),
      '',
      `Contract reference: ${c.id}`,
    ].join('\n'),
  };
}

/** To the owners when the contract renewed or ended, so nobody learns of it from an invoice. */
export function lifecycleMail(
  c: ContractState,
  to: string[],
  what: { renewed: { start: string; end: string } } | { expired: { endDate: string } },
): MailMessage {
  const renewed = 'renewed' in what;
  return {
    to,
    subject: renewed ? `Renewed until ${what.renewed.end}: ${titleOf(c)}` : `Ended: ${titleOf(c)}`,
    text: [
      renewed
        ? `"${titleOf(c)}" renewed: the new period runs from ${what.renewed.start} to ${what.renewed.end}.`
        : `"${titleOf(c)}" ended on ${what.expired.endDate}; its SLA is no longer tracked.`,
      '',
      `Contract reference: ${c.id}`,
    ].join('\n'),
  };
}
