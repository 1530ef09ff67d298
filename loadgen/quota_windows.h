// The quota windows as the oracle reckons them, from the rules alone (docs/loadgen.md, "How the
// oracle counts windows"): a second window is a second of the clock (index = ms / 1000); a day
// window is a Europe/Paris calendar day, CET (UTC+1) in winter and CEST (UTC+2) from the last
// Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC (the EU rule), so a day lasts
// 23 h in March and 25 h in October. Written apart from the simulator's own arithmetic
// (simulator/clock, simulator/quota) on purpose: an oracle that shared it could not see its bugs.
// Day indices count Paris days since 1970-01-01, the numbering the simulator's results use.
#pragma once

#include <cstdint>

#include "world/world.h"

namespace pistesim::loadgen {

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12), and back.
int64_t days_from_date(int64_t year, int month, int day);
void date_from_days(int64_t days, int64_t* year, int* month, int* day);

// The UTC instants (ms) at which Paris summer time begins and ends in `year`.
int64_t paris_summer_start_ms(int64_t year);
int64_t paris_summer_end_ms(int64_t year);
// Paris's offset from UTC at that instant: 3 600 000 (CET) or 7 200 000 (CEST).
int64_t paris_offset_ms(int64_t utc_ms);
// The Paris calendar day containing that instant, and the instant its midnight falls.
int64_t paris_day_of(int64_t utc_ms);
int64_t paris_midnight_ms(int64_t day);

// The window of `w` containing `utc_ms`, and where window `index` begins and ends.
uint64_t oracle_window_index(QuotaWindow w, int64_t utc_ms);
int64_t oracle_window_start(QuotaWindow w, uint64_t index);
int64_t oracle_window_end(QuotaWindow w, uint64_t index);

}  // namespace pistesim::loadgen
