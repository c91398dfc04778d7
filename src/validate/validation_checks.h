// ValidationChecks: turns the measured facts of a ValidationResult into checks
// against the spec's gate thresholds (GatesSpec). Pure: no I/O.
//
// Checks, in order (each passes when observed <= threshold unless said otherwise):
//   row_count             |old - (new + dead_lettered + filtered)| / old rows
//                         <= gates.row_count_tolerance (old rows = 0: 0 if the
//                         other side is 0 too, else 1).
//   checksum              old mapped checksum == new checksum (skipped when
//                         gates.checksum is false); on failure names the columns whose
//                         value fingerprints differ.
//   schema                the new schema has the target's column names and types, in
//                         order (nullability is reported, not failed); the new files agree.
//                         A naive timestamp (timestamp_ntz) where the target has an instant
//                         (timestamp), or the reverse, fails it: only a cast in the spec may
//                         change what a timestamp means.
//   dead_letter_fraction  dead_lettered / old rows <= gates.max_dlq_fraction.
//   manifest              when the new dataset has a manifest: its counts and checksum
//                         equal what was read (skipped without one).
//   per target column present on both sides with the same type:
//     null_rate_delta     |null rate old - null rate new| <= null_rate_delta_max
//     ks                  numeric: KS statistic of the two samples <= ks_max
//     category_tv         string, bool, binary: total variation distance of the value
//                         frequencies <= category_tv_max (exact when both sides had
//                         few enough distinct values to count exactly, else over a
//                         hashed histogram, which never overstates the distance).
#pragma once

#include "spec/migration_spec.h"
#include "validate/validation_result.h"

namespace gaggle {

// Replaces result->checks.
// `dead_letter_min_count` (dead_letter.min_count): up to that many dead-lettered rows pass the
// dead_letter_fraction check whatever their share.
void EvaluateChecks(const GatesSpec& gates, int64_t dead_letter_min_count, ValidationResult* result);

}  // namespace gaggle
