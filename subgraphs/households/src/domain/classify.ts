/**
 * Classification under any poverty standard, from the standard's rows (poverty_standards, poverty_lines,
 * poverty_indicators). One rule shape with parameters:
 *
 *   poor      ⇔ income ≤ povertyLine and (not poorRequiresDeprivation or deprived ≥ cutoff)
 *               or (poorAlsoBelowNearPoorLine and income ≤ nearPoorLine and deprived ≥ cutoff)
 *   near-poor ⇔ not poor and income ≤ nearPoorLine
 *   average   ⇔ neither, and income ≤ averageLine (where the standard has one)
 *   none      ⇔ otherwise
 *
 * Incomes are compared in whole đồng without division: a monthly income against a yearly line is multiplied
 * by 12, a yearly income against a monthly line is compared with the line × 12.
 */
import { badInput } from '@ansinh/server';
import type { PovertyIndicatorModel, PovertyLineModel, PovertyStandardModel } from '../db/schema.js';

export type Status = 'POOR' | 'NEAR_POOR' | 'AVERAGE_LIVING_STANDARD' | 'NONE';
export type Period = 'MONTH' | 'YEAR';

export interface LoadedStandard {
  standard: PovertyStandardModel;
  lines: PovertyLineModel[];
  indicators: PovertyIndicatorModel[];
}

export interface ClassifyInput {
  areaType: string;
  incomePerCapita: number;
  incomePeriod: Period;
  deprivedIndicators: readonly string[];
}

export interface ClassificationModel {
  status: Status;
  standardCode: string;
  reasons: {
    /** the line that decided: POVERTY_LINE, NEAR_POOR_LINE, AVERAGE_LINE, or ABOVE_LINES */
    comparedWith: 'POVERTY_LINE' | 'NEAR_POOR_LINE' | 'AVERAGE_LINE' | 'ABOVE_LINES';
    lineAmount: number | null;
    lineIncomePeriod: Period;
    /** the income expressed in the standard's period (rounded down to whole đồng when a year is divided) */
    incomeInStandardPeriod: number;
    deprivedIndicators: string[];
    deprivationCount: number;
    deprivationCutoff: number | null;
    explanation: string;
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');
const PERIOD_VI: Record<Period, string> = { MONTH: 'tháng', YEAR: 'năm' };

/** Checks an input against a standard; `field` prefixes the argument names in errors (e.g. "input."). */
export function validateInput(loaded: LoadedStandard, input: ClassifyInput, field = 'input.'): void {
  const { standard } = loaded;
  if (!Number.isSafeInteger(input.incomePerCapita) || input.incomePerCapita < 0) {
    throw badInput(`"${field}incomePerCapita" must be whole đồng, not negative, got ${input.incomePerCapita}`, `${field}incomePerCapita`);
  }
  if (!loaded.lines.some((l) => l.areaType === input.areaType)) {
    throw badInput(`Standard ${standard.code} has no lines for area type ${input.areaType}`, `${field}areaType`);
  }
  const known = new Set(loaded.indicators.map((i) => i.code));
  const seen = new Set<string>();
  for (const code of input.deprivedIndicators) {
    if (!known.has(code)) {
      throw badInput(`"${code}" is not an indicator of standard ${standard.code} (its indicators: ${[...known].join(', ')})`, `${field}deprivedIndicators`);
    }
    if (seen.has(code)) throw badInput(`Indicator "${code}" is listed twice`, `${field}deprivedIndicators`);
    seen.add(code);
  }
}

export function classify(loaded: LoadedStandard, input: ClassifyInput): ClassificationModel {
  validateInput(loaded, input);
  const { standard } = loaded;
  const line = loaded.lines.find((l) => l.areaType === input.areaType)!;
  const period = standard.incomePeriod as Period;
  // compare a·income with b·line, all integers
  const incomeFactor = input.incomePeriod === 'MONTH' && period === 'YEAR' ? 12 : 1;
  const lineFactor = input.incomePeriod === 'YEAR' && period === 'MONTH' ? 12 : 1;
  const atOrBelow = (amount: number | null) => amount !== null && input.incomePerCapita * incomeFactor <= amount * lineFactor;
  const incomeInStandardPeriod = Math.floor((input.incomePerCapita * incomeFactor) / lineFactor);

  const order = new Map(loaded.indicators.map((i) => [i.code, i.position]));
  const deprived = [...input.deprivedIndicators].sort((a, b) => order.get(a)! - order.get(b)!);
  const count = deprived.length;
  const cutoff = standard.deprivationCutoff;
  const meetsCutoff = cutoff !== null && count >= cutoff;

  let status: Status;
  let comparedWith: ClassificationModel["reasons"]['comparedWith'];
  let lineAmount: number | null;
  if (atOrBelow(line.povertyLine) && (!standard.poorRequiresDeprivation || meetsCutoff)) {
    status = 'POOR'; comparedWith = 'POVERTY_LINE'; lineAmount = line.povertyLine;
  } else if (standard.poorAlsoBelowNearPoorLine && atOrBelow(line.nearPoorLine) && meetsCutoff) {
    status = 'POOR'; comparedWith = 'NEAR_POOR_LINE'; lineAmount = line.nearPoorLine;
  } else if (atOrBelow(line.nearPoorLine)) {
    status = 'NEAR_POOR'; comparedWith = 'NEAR_POOR_LINE'; lineAmount = line.nearPoorLine;
  } else if (atOrBelow(line.averageLine)) {
    status = 'AVERAGE_LIVING_STANDARD'; comparedWith = 'AVERAGE_LINE'; lineAmount = line.averageLine;
  } else {
    status = 'NONE'; comparedWith = 'ABOVE_LINES';
    lineAmount = line.averageLine ?? line.nearPoorLine;
  }
  const income = `income ${fmt(incomeInStandardPeriod)} đồng/${PERIOD_VI[period]}`;
  const dep = cutoff === null
    ? `${count} deprived indicator(s), not part of this standard's rule`
    : `${count} deprived indicator(s) against a cut-off of ${cutoff}`;
  const cmp = comparedWith === 'ABOVE_LINES' ? `above ${fmt(lineAmount!)}` : `at or below the ${comparedWith.toLowerCase().replace(/_/g, ' ')} ${fmt(lineAmount!)}`;
  return {
    status,
    standardCode: standard.code,
    reasons: {
      comparedWith, lineAmount, lineIncomePeriod: period, incomeInStandardPeriod,
      deprivedIndicators: deprived, deprivationCount: count, deprivationCutoff: cutoff,
      explanation: `${standard.code} (${input.areaType.toLowerCase()}): ${income}, ${cmp}; ${dep} → ${status}`,
    },
  };
}
