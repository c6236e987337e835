import { spawnSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';
import { LocalSealSigner } from '../functions/adapters/local/local-seal-signer';
import { certificatesFromPem } from '../functions/core/pdf-seal/certificates';
import { sealPdf } from '../functions/core/pdf-seal/seal';
import { issueSealChain } from '../functions/core/seal-chain';
import { bench } from './harness';

/**
 * Sealing 1-, 20- and 200-page contracts with the local P-256 seal signer (production's code
 * path minus the KMS call), each against the floor measured alongside: SHA-256 of the same
 * bytes plus one P-256 signature with node:crypto, the work no seal can avoid. Also the peak
 * RSS growth while sealing the 200-page file, in this warm process and in a fresh one.
 */

const SIZES = [
  { pages: 1, rounds: 31, warmUp: 20 },
  { pages: 20, rounds: 21, warmUp: 10 },
  { pages: 200, rounds: 15, warmUp: 3 },
];
const RSS_SAMPLES = 5;
const SIGNED_AT = new Date('2027-03-01T12:00:00Z');
const CHILD_FLAG = '--rss-child';

const WORDS = (
  'the vendor shall provide maintenance support services within agreed response targets for each ' +
  'incident reported by the customer through the designated channels during business hours and ' +
  'outside them where the service level so provides any failure to meet a target entitles the ' +
  'customer to service credits calculated as a percentage of the monthly fee subject to the cap ' +
  'in schedule confidential information remains the property of the disclosing party and may be ' +
  'used only to perform this agreement neither party is liable for indirect or consequential loss'
).split(' ');

/** A deterministic word stream (a linear congruential generator), so every run seals the same bytes. */
function words(seed: number): () => string {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return WORDS[(state >>> 16) % WORDS.length]!;
  };
}

/** As many words as fit `width` points of `font` at `size`. */
function line(next: () => string, font: PDFFont, size: number, width: number): string {
  let text = next();
  for (;;) {
    const candidate = `${text} ${next()}`;
    if (font.widthOfTextAtSize(candidate, size) > width) return `${text}.`;
    text = candidate;
  }
}

/** A contract of US Letter pages: running header, numbered clauses of full-width lines, footer. */
async function contract(pages: number): Promise<Uint8Array> {
  // No creation and modification dates of now: the same bytes on every run.
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(`Maintenance and support agreement (${pages} pages)`);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const next = words(pages);
  for (let p = 1; p <= pages; p++) {
    const page = doc.addPage([612, 792]);
    page.drawText('Maintenance and Support Agreement - Acme Support Ltd and Contoso GmbH', {
      x: 72,
      y: 750,
      size: 8,
      font: regular,
    });
    let y = 720;
    for (let clause = 1; y > 100; clause++) {
      page.drawText(`${p}.${clause} ${line(next, bold, 11, 300)}`, { x: 72, y, size: 11, font: bold });
      y -= 18;
      for (let l = 0; l < 7 && y > 90; l++, y -= 13) {
        page.drawText(line(next, regular, 10, 468), { x: 72, y, size: 10, font: regular });
      }
      y -= 8;
    }
    page.drawText(`Page ${p} of ${pages}`, { x: 280, y: 50, size: 8, font: regular });
  }
  return doc.save();
}

/** The local seal signer and its chain, kept in `dir` (created on first use, reused after). */
async function sealKit(dir: string) {
  const signer = new LocalSealSigner(join(dir, 'seal.pem'));
  const chainPath = join(dir, 'chain.pem');
  let pem: string;
  try {
    pem = readFileSync(chainPath, 'utf8');
  } catch {
    const root = new LocalSealSigner(join(dir, 'root.pem'));
    pem = (await issueSealChain(root, signer, { organization: 'Bench', years: 1, now: SIGNED_AT })).pem;
    writeFileSync(chainPath, pem);
  }
  const chain = certificatesFromPem(pem);
  await signer.publicKey(); // loads the key now rather than during the first seal
  return (pdf: Uint8Array) =>
    sealPdf(pdf, {
      signer,
      chain,
      reason: 'bench',
      name: 'Countersign',
      signedAt: SIGNED_AT,
      fieldName: 'Bench',
    });
}

/**
 * Peak RSS during `run`, less the RSS just before it. On Linux, writing 5 to /proc/self/clear_refs
 * resets the high-water mark (VmHWM), so the peak is the run's own; elsewhere only the lifetime
 * maxRSS is known, and a run that sets no new record reads 0.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const vmHwm = () => {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!match) throw new Error('no VmHWM in /proc/self/status');
  return Number(match[1]) * 1024;
};
type RssMethod = 'VmHWM reset' | 'lifetime maxRSS';
const rssMethod: RssMethod = (() => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    vmHwm();
    return 'VmHWM reset';
  } catch {
    return 'lifetime maxRSS';
  }
})();
async function peakRssDelta(run: () => Promise<unknown>): Promise<number> {
  gc();
  const before = process.memoryUsage.rss();
  if (rssMethod === 'VmHWM reset') writeFileSync('/proc/self/clear_refs', '5');
  const lifetimeBefore = process.resourceUsage().maxRSS * 1024;
  await run();
  const lifetimeAfter = process.resourceUsage().maxRSS * 1024;
  const peak =
    rssMethod === 'VmHWM reset' ? vmHwm() : lifetimeAfter > lifetimeBefore ? lifetimeAfter : before;
  return Math.max(0, peak - before);
}

/** In a fresh process: the first seal of the file, with the key and chain already loaded. */
async function child(dir: string, pdfPath: string): Promise<void> {
  const seal = await sealKit(dir);
  const pdf = new Uint8Array(readFileSync(pdfPath));
  const delta = await peakRssDelta(() => seal(pdf));
  console.log(JSON.stringify({ delta }));
}

interface SizeResult {
  pages: number;
  rounds: number;
  inputBytes: number;
  sealedBytes: number;
  addedBytes: number;
  sealMs: number;
  floorMs: number;
  ratio: number;
}

async function main(): Promise<void> {
  // Keys, chain and contracts are made once, outside anything timed.
  const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-'));
  const seal = await sealKit(dir);
  // The floor signs with the same P-256 key, through OpenSSL.
  const floorKey = createPrivateKey(readFileSync(join(dir, 'seal.pem'), 'utf8'));
  const contracts = new Map<number, Uint8Array>();
  for (const { pages } of SIZES) contracts.set(pages, await contract(pages));

  // Warm every size first, so that the first size measured does not pay for the JIT alone.
  const sealedBytes = new Map<number, number>();
  for (const { pages, warmUp } of SIZES) {
    const pdf = contracts.get(pages)!;
    const sealed = await seal(pdf);
    if (Buffer.compare(sealed.subarray(0, pdf.length), pdf) !== 0) {
      throw new Error('the sealed file does not keep the original bytes as its prefix');
    }
    sealedBytes.set(pages, sealed.length);
    for (let i = 1; i < warmUp; i++) {
      await seal(pdf);
      sign('sha256', pdf, floorKey);
    }
  }

  const results: SizeResult[] = [];
  for (const { pages, rounds } of SIZES) {
    const pdf = contracts.get(pages)!;
    const timed = await bench({
      name: `seal a ${pages}-page contract (PAdES B-B, local P-256 key)`,
      baseline: {
        name: 'SHA-256 of the same bytes + one P-256 signature (node:crypto)',
        // sign() hashes the bytes with SHA-256 and signs that digest: exactly the floor.
        run: () => sign('sha256', pdf, floorKey),
      },
      subject: () => seal(pdf),
      rounds,
    });
    results.push({
      pages,
      rounds,
      inputBytes: pdf.length,
      sealedBytes: sealedBytes.get(pages)!,
      addedBytes: sealedBytes.get(pages)! - pdf.length,
      sealMs: timed.subjectMs,
      floorMs: timed.baselineMs,
      ratio: timed.ratio,
    });
  }

  // Peak RSS growth for the 200-page file: here, warm, over several seals; and in a fresh process.
  const largest = contracts.get(200)!;
  const warmDeltas: number[] = [];
  for (let i = 0; i < RSS_SAMPLES; i++) warmDeltas.push(await peakRssDelta(() => seal(largest)));
  warmDeltas.sort((a, b) => a - b);
  const pdfPath = join(dir, 'contract-200.pdf');
  writeFileSync(pdfPath, largest);
  const run = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), CHILD_FLAG, dir, pdfPath],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`the fresh-process RSS run failed: ${run.stderr}`);
  const fresh = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { delta: number };
  const rss = {
    pages: 200,
    method: rssMethod,
    warmSamples: RSS_SAMPLES,
    warmMedianPeakDeltaBytes: warmDeltas[Math.floor(warmDeltas.length / 2)]!,
    warmMaxPeakDeltaBytes: warmDeltas.at(-1)!,
    freshProcessPeakDeltaBytes: fresh.delta,
  };

  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const rows = [
    ['pages', 'seal ms', 'floor ms', 'ratio', 'before', 'after', 'added'],
    ...results.map((r) => [
      String(r.pages),
      r.sealMs.toFixed(2),
      r.floorMs.toFixed(3),
      r.ratio.toFixed(1),
      kib(r.inputBytes),
      kib(r.sealedBytes),
      `${r.addedBytes} B`,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  console.log('');
  for (const [i, row] of rows.entries()) {
    console.log(
      row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log(
    `peak RSS growth sealing the 200-page file (${rssMethod}): ` +
      `warm process median ${mib(rss.warmMedianPeakDeltaBytes)}, max ${mib(rss.warmMaxPeakDeltaBytes)} ` +
      `over ${RSS_SAMPLES} seals; first seal in a fresh process ${mib(rss.freshProcessPeakDeltaBytes)}`,
  );
  console.log(JSON.stringify({ bench: 'seal-sizes', node: process.version, results, rss }));
}

if (process.argv[2] === CHILD_FLAG) await child(process.argv[3]!, process.argv[4]!);
else await main();
