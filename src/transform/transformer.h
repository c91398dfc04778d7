// Transformer: applies a migration spec's `transform` section to record batches.
//
// Make() checks the whole plan against the source schema before any data is
// read and reports every problem at once (one per line, each with the spec
// location when known): a declared source_schema that differs from the real one
// (each missing column, extra column and type difference), unknown columns in
// rename/cast/drop/derive/filter/required, casts that can never work, duplicate
// output names, expression type errors, a bad `add` default. The Status code is
// SchemaMismatch when the data lacks what the spec expects (declared schema
// differs, unknown column), else TypeError (impossible cast, expression type
// error), else InvalidArgument.
//
// Nested fields (nested_edit.h): a rename or cast whose name is a dotted path into a struct
// column ("device.os") edits that field inside the struct, before everything else; paths use
// the source names. A path into a list or map is refused naming the entry. Expressions read
// fields, list elements and map values (device.os, items[0].sku, attrs['k']). A nested drop,
// flatten and nest restructure the output last (restructure.h), so expressions still see a
// dropped field: `derive: {os: "device.os"}` with `drop: [device.os]` lifts it out.
//
// transform.missing_columns: skip (column_policy.h) leaves out, before all of the above, the
// rename, cast and drop entries whose column the source lacks; fail (the default) reports them.
//
// Semantics, per batch (docs/migration-spec.md):
//   1. rename (simultaneous: {a: b, b: a} swaps), then cast (names after rename);
//   2. filter and derive expressions see these renamed and cast columns,
//      including ones that are dropped;
//   3. output = source columns minus drop (source order), then add (constant
//      default read with the cast rules, or null), then derive, in spec order;
//   4. every input row ends up exactly once as an output row, a rejected row
//      (with its index in the batch and a reason) or a filtered row:
//        - a cast that fails, a filter that fails to evaluate, a derive that
//          fails on a kept row, or a null in a `required` column rejects the row;
//        - a row whose filter is false or null is filtered (derive is not
//          evaluated for filtered rows, so it cannot reject them);
//        - rejection wins over filtering.
// Thread-safety: Make builds an immutable plan; Apply is const and may run on
// several batches from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "columnar/record_batch.h"
#include "columnar/schema.h"
#include "common/status.h"
#include "spec/migration_spec.h"
#include "transform/expression.h"
#include "transform/nested_edit.h"
#include "transform/restructure.h"
#include "transform/row_error.h"

namespace gaggle {

// Row counts, cumulative over the batches passed to Apply.
struct TransformStats {
  uint64_t rows_in = 0;
  uint64_t rows_out = 0;
  uint64_t rows_rejected = 0;
  uint64_t rows_filtered = 0;
};

class Transformer {
 public:
  static Result<Transformer> Make(const TransformSpec& spec, const Schema& source_schema);

  const Schema& source_schema() const { return source_schema_; }
  // Columns of every output batch. Required columns, and columns that cannot be
  // null (non-nullable source columns, adds with a default), are not nullable.
  const std::shared_ptr<const Schema>& output_schema() const {
    return restructure_ ? restructure_->output_schema() : output_schema_;
  }

  // Transforms one batch whose columns match source_schema() (SchemaMismatch
  // otherwise). *out is replaced by the output rows; rejected rows are appended
  // to *rejections as (row index in `in`, reason), in row order, one entry per
  // row; *stats (optional) is incremented. *kept_rows (optional) is replaced by the
  // index in `in` of each output row, in order (what downstream verification needs to
  // compare old rows with the rows the migration kept).
  Status Apply(const RecordBatch& in, RecordBatch* out, std::vector<RowError>* rejections,
               TransformStats* stats = nullptr, std::vector<uint32_t>* kept_rows = nullptr) const;

 private:
  struct CastStep {
    int column;  // index in the source schema
    DataType to;
    std::string where;  // "events.yaml:7:3: transform.cast.amount: "
  };
  // Where an output column comes from.
  struct OutputColumn {
    enum class Kind { kSource, kAdd, kDerive } kind;
    int index;  // source column, add constant, or derive expression
  };
  struct DeriveStep {
    std::string name;
    CompiledExpression expr;
    std::string where;
  };

  class Planner;   // builds a Transformer in named steps (transformer.cc)
  class BatchRun;  // one Apply call's state and steps (transformer.cc)

  Transformer() = default;
  // The plan of a spec without nested paths (Make takes those out first).
  static Result<Transformer> MakeFlat(const TransformSpec& spec, const Schema& source_schema);
  // Apply without the restructure (transformer.cc); Apply adds it (transformer_nested.cc).
  Status ApplySteps(const RecordBatch& in, RecordBatch* out, std::vector<RowError>* rejections, TransformStats* stats,
                    std::vector<uint32_t>* kept_rows) const;
  // Apply for a spec with nested edits: the edits, then the steps on the edited batch.
  Status ApplyEdited(const RecordBatch& in, RecordBatch* out, std::vector<RowError>* rejections, TransformStats* stats,
                     std::vector<uint32_t>* kept_rows) const;

  Schema source_schema_;
  // Nested edits (nested_edit.h): per source column, null when the column is not edited;
  // empty when the spec edits no nested field. edited_schema_ is the source after them.
  std::vector<std::shared_ptr<const StructEdit>> nested_edits_;
  Schema edited_schema_;
  Schema working_schema_;  // after rename and cast: what expressions see
  std::vector<CastStep> casts_;
  std::optional<CompiledExpression> filter_;
  std::string filter_where_;
  std::vector<DeriveStep> derives_;
  std::vector<std::shared_ptr<const Column>> add_values_;  // one row each
  std::vector<OutputColumn> outputs_;
  std::vector<int> required_;                       // output column indexes
  std::vector<int> derive_inputs_;                  // working columns any derive reads
  std::shared_ptr<const Schema> output_schema_;     // before the restructure
  std::shared_ptr<const Restructure> restructure_;  // null when the spec has none
};

}  // namespace gaggle
