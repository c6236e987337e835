/**
 * A small timing harness: each case runs interleaved with its baseline, in the same process,
 * and the result is the ratio of medians. This machine is shared, so absolute times drift; the
 * ratio to a baseline measured alongside is what a change can be judged by.
 */
export interface BenchCase {
  name: string;
  baseline: { name: string; run: () => Promise<unknown> | unknown };
  subject: () => Promise<unknown> | unknown;
  rounds?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export async function bench(c: BenchCase): Promise<{ subjectMs: number; baselineMs: number; ratio: number }> {
  const rounds = c.rounds ?? 15;
  await c.baseline.run();
  await c.subject();
  const base: number[] = [];
  const subj: number[] = [];
  for (let i = 0; i < rounds; i++) {
    base.push(await time(c.baseline.run));
    subj.push(await time(c.subject));
  }
  const baselineMs = median(base);
  const subjectMs = median(subj);
  const ratio = subjectMs / baselineMs;
  console.log(
    `${c.name}: ${subjectMs.toFixed(2)} ms (median of ${rounds}); baseline "${c.baseline.name}" ${baselineMs.toFixed(2)} ms; ratio ${ratio.toFixed(2)}`,
  );
  return { subjectMs, baselineMs, ratio };
}
