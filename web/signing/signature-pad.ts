/**
 * A drawing pad for a handwritten signature: pointer events, so a finger, a pen and a mouse all
 * draw. Strokes are kept as points relative to the pad's size, so the drawing survives a resize
 * or a rotation of the phone, and are exported as a transparent PNG cropped to the ink.
 */

export interface Point {
  x: number;
  y: number;
}

/** The PNG's width for the whole pad; the server takes up to 2000 pixels a side. */
const EXPORT_WIDTH = 1200;
/** Ink width, as a share of the pad's width. */
const INK = 0.006;
/** The smallest stroke length (as a share of the width) that counts as drawing, not a stray tap. */
const MIN_INK = 0.02;

export class SignaturePad {
  readonly canvas: HTMLCanvasElement;
  private strokes: Point[][] = [];
  private current: Point[] | null = null;
  private pointerId: number | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly resizeObserver: ResizeObserver | undefined;

  constructor(
    label: string,
    private readonly aspect = 3,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'pad-canvas';
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', label);
    this.canvas.addEventListener('pointerdown', (e) => this.down(e));
    this.canvas.addEventListener('pointermove', (e) => this.move(e));
    this.canvas.addEventListener('pointerup', (e) => this.up(e));
    this.canvas.addEventListener('pointercancel', (e) => this.up(e));
    // No scrolling, zooming or text selection while drawing.
    this.canvas.addEventListener('touchstart', (e) => e.preventDefault(), { passive: false });
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => this.redraw());
      this.resizeObserver.observe(this.canvas);
    }
  }

  setLabel(label: string): void {
    this.canvas.setAttribute('aria-label', label);
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Whether anything worth a signature has been drawn. */
  isEmpty(): boolean {
    let length = 0;
    for (const stroke of this.strokes) {
      for (let i = 1; i < stroke.length; i++) {
        length += Math.hypot(
          stroke[i]!.x - stroke[i - 1]!.x,
          (stroke[i]!.y - stroke[i - 1]!.y) / this.aspect,
        );
      }
    }
    return length < MIN_INK;
  }

  clear(): void {
    this.strokes = [];
    this.current = null;
    this.redraw();
    this.changed();
  }

  /** The drawing as a PNG with a transparent background, cropped to the ink; undefined when empty. */
  toPngBase64(): string | undefined {
    if (this.isEmpty()) return undefined;
    const width = EXPORT_WIDTH;
    const height = Math.round(EXPORT_WIDTH / this.aspect);
    const ink = Math.max(2, INK * width);
    const points = this.strokes.flat();
    const pad = ink * 2;
    const minX = Math.max(0, Math.min(...points.map((p) => p.x)) * width - pad);
    const minY = Math.max(0, Math.min(...points.map((p) => p.y)) * height - pad);
    const maxX = Math.min(width, Math.max(...points.map((p) => p.x)) * width + pad);
    const maxY = Math.min(height, Math.max(...points.map((p) => p.y)) * height + pad);
    const out = document.createElement('canvas');
    out.width = Math.max(1, Math.ceil(maxX - minX));
    out.height = Math.max(1, Math.ceil(maxY - minY));
    const ctx = out.getContext('2d');
    if (!ctx) return undefined;
    ctx.translate(-minX, -minY);
    this.paint(ctx, width, height, ink);
    return out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
  }

  /** The drawing as a data URL to preview it elsewhere (the field on the page). */
  toDataUrl(): string | undefined {
    const base64 = this.toPngBase64();
    return base64 ? `data:image/png;base64,${base64}` : undefined;
  }

  private point(e: PointerEvent): Point {
    const rect = this.canvas.getBoundingClientRect();
    return {
      x: Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width)),
      y: Math.min(1, Math.max(0, (e.clientY - rect.top) / rect.height)),
    };
  }

  private down(e: PointerEvent): void {
    if (this.pointerId !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.pointerId = e.pointerId;
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch {
      // A synthetic or already-ended pointer: drawing works without capture.
    }
    this.current = [this.point(e)];
    this.strokes.push(this.current);
    this.redraw();
  }

  private move(e: PointerEvent): void {
    if (e.pointerId !== this.pointerId || !this.current) return;
    e.preventDefault();
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) this.current.push(this.point(ev));
    this.redraw();
  }

  private up(e: PointerEvent): void {
    if (e.pointerId !== this.pointerId) return;
    if (this.current && e.type === 'pointerup') this.current.push(this.point(e));
    this.pointerId = null;
    this.current = null;
    this.redraw();
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private redraw(): void {
    const rect = this.canvas.getBoundingClientRect();
    if (!rect.width || !rect.height) return;
    const ratio = Math.min(window.devicePixelRatio || 1, 3);
    const width = Math.round(rect.width * ratio);
    const height = Math.round(rect.height * ratio);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    this.paint(ctx, width, height, Math.max(2 * ratio, INK * width));
  }

  /** Strokes as smooth curves through the midpoints of the points. */
  private paint(ctx: CanvasRenderingContext2D, width: number, height: number, ink: number): void {
    ctx.strokeStyle = '#0d1b3e';
    ctx.fillStyle = '#0d1b3e';
    ctx.lineWidth = ink;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const stroke of this.strokes) {
      const pts = stroke.map((p) => ({ x: p.x * width, y: p.y * height }));
      if (pts.length === 1) {
        ctx.beginPath();
        ctx.arc(pts[0]!.x, pts[0]!.y, ink / 2, 0, Math.PI * 2);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(pts[0]!.x, pts[0]!.y);
      for (let i = 1; i < pts.length - 1; i++) {
        const mid = { x: (pts[i]!.x + pts[i + 1]!.x) / 2, y: (pts[i]!.y + pts[i + 1]!.y) / 2 };
        ctx.quadraticCurveTo(pts[i]!.x, pts[i]!.y, mid.x, mid.y);
      }
      const last = pts[pts.length - 1]!;
      ctx.lineTo(last.x, last.y);
      ctx.stroke();
    }
  }
}
