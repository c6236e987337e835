/**
 * A tenant's branding (its logo and two colours, from the tenant settings) applied to a page as
 * CSS custom properties, for the sender console and the signing page alike. The primary colour is
 * used for text on white and as a background under white text, so it is darkened until it reads
 * at 4.5:1 against white: a pale brand colour still gives readable buttons and links.
 */

export interface Branding {
  logoPngBase64?: string;
  primaryColor?: string;
  accentColor?: string;
}

const HEX = /^#[0-9a-f]{6}$/i;

type Rgb = [number, number, number];

const toRgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const toHex = (rgb: Rgb) =>
  `#${rgb
    .map((c) =>
      Math.round(Math.max(0, Math.min(255, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;

/** WCAG relative luminance. */
export function luminance(hex: string): number {
  const [r, g, b] = toRgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio between two colours. */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `hex` mixed with `other`: 0 keeps it, 1 gives `other`. */
export function mix(hex: string, other: string, amount: number): string {
  const a = toRgb(hex);
  const b = toRgb(other);
  return toHex(a.map((c, i) => c + (b[i]! - c) * amount) as Rgb);
}

/** The lightest grey the apps lay text on (their page background). */
const PAGE_GREY = '#f2f4f7';

/**
 * The colour, darkened just enough to read at `ratio`:1 against white and against the light grey
 * the pages use as their background.
 */
export function readableOnWhite(hex: string, ratio = 4.5): string {
  let color = hex.toLowerCase();
  const readable = (c: string) => contrast(c, '#ffffff') >= ratio && contrast(c, PAGE_GREY) >= ratio;
  for (let step = 0; step < 40 && !readable(color); step++) color = mix(color, '#000000', 0.06);
  return color;
}

/** The custom properties a branding sets (none for what it leaves out). */
export function brandingProperties(branding: Branding | undefined): Record<string, string> {
  const props: Record<string, string> = {};
  if (branding?.primaryColor && HEX.test(branding.primaryColor)) {
    const primary = readableOnWhite(branding.primaryColor);
    props['--primary'] = primary;
    props['--primary-dark'] = mix(primary, '#000000', 0.25);
    props['--primary-soft'] = mix(primary, '#ffffff', 0.9);
    props['--brand-primary'] = branding.primaryColor.toLowerCase();
  }
  if (branding?.accentColor && HEX.test(branding.accentColor)) {
    props['--brand-accent'] = branding.accentColor.toLowerCase();
    props['--brand-accent-text'] = readableOnWhite(branding.accentColor);
  }
  return props;
}

const APPLIED = [
  '--primary',
  '--primary-dark',
  '--primary-soft',
  '--brand-primary',
  '--brand-accent',
  '--brand-accent-text',
];

/** Sets (or, without branding, removes) the custom properties on the page's root. */
export function applyBranding(
  branding: Branding | undefined,
  root: HTMLElement = document.documentElement,
): void {
  for (const name of APPLIED) root.style.removeProperty(name);
  const props = brandingProperties(branding);
  for (const [name, value] of Object.entries(props)) root.style.setProperty(name, value);
  root.classList.toggle('branded', Object.keys(props).length > 0 || Boolean(branding?.logoPngBase64));
}

/** The logo as an image for a header (null without one). `alt` names whose logo it is. */
export function brandLogo(branding: Branding | undefined, alt: string): HTMLImageElement | null {
  if (!branding?.logoPngBase64) return null;
  const img = document.createElement('img');
  img.className = 'brand-logo';
  img.src = `data:image/png;base64,${branding.logoPngBase64}`;
  img.alt = alt;
  img.decoding = 'async';
  return img;
}
