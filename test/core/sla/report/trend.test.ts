import { describe, expect, it } from 'vitest';
import type { MonthResult } from '../../../../functions/core/sla/engine';
import { overallCompliance, slaTrend } from '../../../../functions/core/sla/report/trend';

function result(month: string, lines: [number, number][], uptime: number | null = 99.95): MonthResult {
  return {
    month,
    lines: lines.map(([counted, breached], i) => ({
      severity: `S${i + 1}`,
      metric: 'resolution',
      counted,
      breached,
      miss: breached > 0,
    })),
    uptime: uptime === null ? null : { uptime_pct: uptime, miss: uptime < 99.9, credit_pct: 0 },
    uncapped_pct: 0,
    capped_pct: 0,
    credit_minor: 0,
    cap_reached: false,
    counted: [],
    adjustments: [],
  };
}

describe('overallCompliance', () => {
  it('is (Σn − Σb) / Σn over every line, null with nothing counted', () => {
    expect(
      overallCompliance([
        { counted: 2, breached: 1 },
        { counted: 1, breached: 0 },
      ]),
    ).toBe(66.66666667);
    expect(overallCompliance([{ counted: 0, breached: 0 }])).toBeNull();
    expect(overallCompliance([])).toBeNull();
  });
});

describe('slaTrend', () => {
  it('runs from the earliest result to this month, oldest first, with gaps for missing months', () => {
    const trend = slaTrend(result('2025-06', [[4, 1]], 99.8), [
      result('2025-03', [[10, 0]]),
      result('2025-05', [
        [3, 1],
        [1, 0],
      ]),
    ]);
    expect(trend).toEqual([
      { month: '2025-03', compliance_pct: 100, uptime_pct: 99.95 },
      { month: '2025-04', compliance_pct: null, uptime_pct: null },
      { month: '2025-05', compliance_pct: 75, uptime_pct: 99.95 },
      { month: '2025-06', compliance_pct: 75, uptime_pct: 99.8 },
    ]);
  });

  it('keeps the last 12 months, ignores later entries, and lets a later entry for a month win', () => {
    const history = [
      result('2024-01', [[1, 1]]),
      result('2024-06', [[1, 1]]),
      result('2024-07', [[2, 1]]),
      result('2024-07', [[2, 0]]),
      result('2025-07', [[1, 1]]),
    ];
    const trend = slaTrend(result('2025-06', [[1, 0]], null), history);
    expect(trend).toHaveLength(12);
    expect(trend[0]).toEqual({ month: '2024-07', compliance_pct: 100, uptime_pct: 99.95 });
    expect(trend.at(-1)).toEqual({ month: '2025-06', compliance_pct: 100, uptime_pct: null });
    // Nothing known in April or May: a 3-month trend starts at June.
    expect(slaTrend(result('2025-06', [[1, 0]]), history, 3).map((p) => p.month)).toEqual(['2025-06']);
    expect(
      slaTrend(result('2025-06', [[1, 0]]), [...history, result('2025-04', [])], 3).map((p) => p.month),
    ).toEqual(['2025-04', '2025-05', '2025-06']);
  });

  it('shows an earlier month as adjusted by a later one', () => {
    const june = result('2025-06', [[1, 0]]);
    june.adjustments = [
      {
        month: '2025-05',
        tickets: ['T1'],
        counted: [],
        lines: [{ severity: 'S1', metric: 'resolution', counted: 4, breached: 3, miss: true }],
        uncapped_pct: 0,
        credit_minor: 0,
        cap_reached: false,
      },
    ];
    const trend = slaTrend(june, [result('2025-05', [[4, 0]])]);
    expect(trend[0]).toMatchObject({ month: '2025-05', compliance_pct: 25 });
  });

  it('reads statements as well as results, and names a bad history entry', () => {
    const statementLike = { result: result('2025-05', [[2, 1]]) };
    expect(slaTrend(result('2025-06', [[1, 0]]), [statementLike])[0]).toMatchObject({
      month: '2025-05',
      compliance_pct: 50,
    });
    expect(() => slaTrend(result('2025-06', []), [{ month: 'May' }])).toThrow(/history\[0\]\.month/);
    expect(() => slaTrend(result('2025-06', []), [], 0)).toThrow(RangeError);
  });
});
