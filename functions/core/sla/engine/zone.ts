/**
 * The engine's local dates and times: the shared time-zone module, re-exported under the names
 * the engine's modules import.
 */
export {
  civil,
  dayNumber,
  formatInstant,
  instantOf,
  isoDate,
  isTimeZone,
  localOf,
  MONTH_PATTERN,
  monthOf,
  monthRange,
  offsetAt,
  shiftMonth,
  weekday,
  type CivilDate,
} from '../../time/zone';
