import type { SlaTerms } from './terms';

/**
 * SLA terms that read a ServiceNow incident event log (such as the UCI "Incident management
 * process enriched event log", data set 498, Amaral, Fantinato, Peres; CC BY 4.0) as a
 * maintenance contract, so that the engine's resolution verdicts can be set beside ServiceNow's
 * own `made_sla`. docs/sla-servicenow-comparison.md has the mapping, the measured agreement and
 * the reasons for each kind of disagreement.
 *
 * The targets approximate ServiceNow's base-system ("demo data") incident SLA definitions, not
 * whatever the organisation behind a given log configured:
 *
 * | priority      | severity | ServiceNow definition          | here                          |
 * |---------------|----------|--------------------------------|-------------------------------|
 * | 1 - Critical  | P1       | Priority 1 resolution (8 hour) | 480 min, 24x7                 |
 * | 2 - High      | P2       | Priority 2 resolution (8 hour) | 480 min, `8-5 weekdays`       |
 * | 3 - Moderate  | P3       | Priority 3 resolution (1 day)  | 1,440 min, `8-5 weekdays`     |
 * | 4 - Low       | P4       | Priority 4 resolution (2 day)  | 2,880 min, `8-5 weekdays`     |
 *
 * - ServiceNow counts a duration's days as 24-hour blocks of schedule time: "1 day" on the
 *   `8-5 weekdays` schedule (Monday to Friday, 08:00 to 17:00, no holidays) is 24 business hours,
 *   about two and a half working days. The targets are those minutes on the same schedule.
 * - The resolution clock starts when the incident is opened, pauses while it waits on the caller
 *   (`Awaiting User Info` → `pending_customer`) or on a third party (`Awaiting Vendor`,
 *   `Awaiting Problem`, `Awaiting Evidence` → `on_hold`), as ServiceNow's definitions pause on
 *   hold, and stops at `Resolved` (`solved`; `Closed` implies it).
 * - A reopened incident starts a new resolution instance at the reopen (`new_cycle`), as
 *   ServiceNow attaches a fresh task SLA when the start condition matches again.
 * - A priority change applies the final priority's target from the opening (`retroactive`,
 *   not sticky): ServiceNow cancels the old task SLA and attaches the new priority's one, and the
 *   usual configuration sets its start retroactively to the opening.
 * - ServiceNow logs carry local times without an offset: they are read in
 *   `SERVICENOW_SOURCE_TIME_ZONE`, which the converter must be given.
 * - There is no response metric: the log has no first-response timestamp.
 * - Fee and credits are placeholders (no fee, no credits): the terms exist to measure, not to bill.
 */

/** The zone the UCI log's times were recorded in (a Brazilian service desk). */
export const SERVICENOW_SOURCE_TIME_ZONE = 'America/Sao_Paulo';

/** The key of the resolution metric in `SERVICENOW_TERMS`. */
export const SERVICENOW_RESOLUTION_METRIC = 'resolution';

const WORKDAY: [string, string][] = [['08:00', '17:00']];

export const SERVICENOW_TERMS: SlaTerms = {
  schema_version: '1.0',
  contract_id: 'servicenow-default-incident-slas',
  currency: 'BRL',
  monthly_fee_minor: 0,
  reporting: { period: 'calendar_month', time_zone: SERVICENOW_SOURCE_TIME_ZONE },
  calendars: {
    '24x7': { type: '24x7' },
    '8-5 weekdays': {
      type: 'business',
      time_zone: SERVICENOW_SOURCE_TIME_ZONE,
      weekly: { mon: WORKDAY, tue: WORKDAY, wed: WORKDAY, thu: WORKDAY, fri: WORKDAY },
    },
  },
  severities: [
    { id: 'P1', name: 'Critical', rank: 1 },
    { id: 'P2', name: 'High', rank: 2 },
    { id: 'P3', name: 'Moderate', rank: 3 },
    { id: 'P4', name: 'Low', rank: 4 },
  ],
  status_map: {
    New: 'new',
    Active: 'open',
    'Awaiting User Info': 'pending_customer',
    'Awaiting Vendor': 'on_hold',
    'Awaiting Problem': 'on_hold',
    'Awaiting Evidence': 'on_hold',
    Resolved: 'solved',
    Closed: 'closed',
  },
  severity_map: {
    '1 - Critical': 'P1',
    '2 - High': 'P2',
    '3 - Moderate': 'P3',
    '4 - Low': 'P4',
  },
  metrics: {
    [SERVICENOW_RESOLUTION_METRIC]: {
      kind: 'resolution',
      start: 'ticket_created',
      stop: 'status_solved',
      pause_statuses: ['pending_customer', 'on_hold'],
      reopen: { mode: 'new_cycle' },
    },
  },
  targets: [
    { severity: 'P1', metric: SERVICENOW_RESOLUTION_METRIC, target_minutes: 480, calendar: '24x7' },
    { severity: 'P2', metric: SERVICENOW_RESOLUTION_METRIC, target_minutes: 480, calendar: '8-5 weekdays' },
    { severity: 'P3', metric: SERVICENOW_RESOLUTION_METRIC, target_minutes: 1_440, calendar: '8-5 weekdays' },
    { severity: 'P4', metric: SERVICENOW_RESOLUTION_METRIC, target_minutes: 2_880, calendar: '8-5 weekdays' },
  ],
  reclassification: { mode: 'retroactive', breach_sticky: false },
  credits: { cap_pct_of_monthly_fee: 0, claim_window_days: null },
};
