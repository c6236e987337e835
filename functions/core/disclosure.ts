import { sha256Hex } from './hashing';

/**
 * The consumer disclosure for electronic records and signatures (ESIGN Act, 15 U.S.C. 7001(c)):
 * shown before consent, and recorded by version and SHA-256 with the consent, so the audit
 * trail proves which text the signer agreed to.
 */
export const DISCLOSURE_VERSION = '2026-11-1';

export const DISCLOSURE_TEXT = `Electronic Record and Signature Disclosure

The sender asks you to receive, review and sign this document electronically. Please read this
notice before you agree.

1. Your consent covers this envelope: the documents in it, the notices about it, and the
   completed copy sent to you when every party has signed.
2. Paper copy. You may ask the sender for a paper copy of any document in this envelope at no
   charge. Their address is in the invitation you received.
3. Withdrawing consent. You may withdraw your consent at any time before you sign, on the
   signing page ("Withdraw consent"). Withdrawal takes effect at once; you will not be asked to
   sign this envelope electronically, and the sender is told. Withdrawing does not undo a
   signature you have already given.
4. What you need. A device with a current web browser, an e-mail account, and software that
   opens PDF files. If these requirements change in a way that affects you, you will be told.
5. Keep a copy. Download or print the documents and this notice for your records; the
   completed document is also e-mailed to you.
6. Contact details. Keep your e-mail address current with the sender; notices go to the
   address this envelope was sent to.

By selecting "I agree", you confirm that you can open the documents, and that you consent to
use electronic records and signatures for this envelope.`;

export const DISCLOSURE_SHA256 = sha256Hex(DISCLOSURE_TEXT);

/** What the signer affirms by the explicit act of signing. */
export const SIGNING_INTENT =
  'I have reviewed the documents and adopt this signature as my electronic signature, with the same legal effect as a handwritten signature.';

/** The statement an approver affirms by approving: no signature is adopted. */
export const APPROVAL_INTENT =
  'I have reviewed the documents and approve them. I am not signing them: my approval is recorded in the audit trail.';
