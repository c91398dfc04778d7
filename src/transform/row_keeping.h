// Row keeping: whether a transformation provably keeps every row of a source, so that a
// reader that needs "the old rows the migration kept" (the downstream verifier's old side)
// can read the old data as it is instead of running it through the transformer.
//
// True when, for this source, the spec (after its missing_columns policy, column_policy.h)
// has no filter, no derive, no required column, no nest (a nest into a null struct
// dead-letters the row) and only casts that never fail (CastNeverFails). Renames, drops,
// adds and flattens never reject a row. False whenever in doubt (a cast of a nested path).
// Thread-safety: pure functions.
#pragma once

#include "columnar/schema.h"
#include "spec/migration_spec.h"

namespace gaggle {

// Every value of `from` casts to `to` (cast.h rules): the same type, to string (flat
// types), int32 -> int64, integers and float -> double, int32 -> float, decimal -> double,
// a decimal to one with no fewer integer and fraction digits, and a timestamp's time-zone
// meaning changed (naive <-> UTC-adjusted). Conservative: false for every other pair.
bool CastNeverFails(const DataType& from, const DataType& to);

bool TransformKeepsEveryRow(const TransformSpec& spec, const Schema& source);

}  // namespace gaggle
