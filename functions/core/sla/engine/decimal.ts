/**
 * Percentages as exact scaled integers (units of 10^-12 percent), so that sums of credits and
 * comparisons of ratios with decimal thresholds never drift the way binary floats do.
 */

export const SCALE_DIGITS = 12;
export const SCALE = 10n ** BigInt(SCALE_DIGITS);

/** The decimal a JSON number was written as, scaled; digits past the 12th decimal round half up. */
export function scaled(value: number): bigint {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(String(value));
  if (!m) throw new RangeError(`not a decimal number: ${value}`);
  const digits = `${m[2]}${m[3] ?? ''}`;
  // The value is digits × 10^exponent.
  const exponent = Number(m[4] ?? 0) - (m[3]?.length ?? 0) + SCALE_DIGITS;
  let result: bigint;
  if (exponent >= 0) result = BigInt(digits) * 10n ** BigInt(exponent);
  else {
    const divisor = 10n ** BigInt(-exponent);
    result = (BigInt(digits) * 2n + divisor) / (2n * divisor);
  }
  return m[1] === '-' ? -result : result;
}

/** A scaled value back to a number (exact for every value with a short decimal form). */
export function unscaled(value: bigint): number {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / SCALE;
  const fraction = (abs % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  return Number(`${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`);
}

/** Half-up division of non-negative integers. */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (2n * denominator);
}

/** `num / den` as a percentage rounded half up to `digits` decimals (for display only). */
export function ratioPct(num: number, den: number, digits = 8): number {
  const unit = 10n ** BigInt(digits);
  const value = divideHalfUp(BigInt(num) * 100n * unit, BigInt(den));
  const whole = value / unit;
  const fraction = (value % unit).toString().padStart(digits, '0').replace(/0+$/, '');
  return Number(`${whole}${fraction ? `.${fraction}` : ''}`);
}

/** Whether `num / den` as a percentage is below `pct`, compared exactly. */
export function ratioBelow(num: number, den: number, pct: number): boolean {
  return BigInt(num) * 100n * SCALE < scaled(pct) * BigInt(den);
}

/** Seconds as minutes rounded half up to 2 decimals (SPEC R1: shown, never compared). */
export function minutes(seconds: number): number {
  const hundredths = Math.floor((seconds * 100 + 30) / 60);
  return hundredths / 100;
}
