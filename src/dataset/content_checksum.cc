#include "dataset/content_checksum.h"

#include <xxhash.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace gaggle {
namespace {

constexpr uint64_t kNullHash = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t kRowSeed = 0x243f6a8885a308d3ULL;

// A strong 64-bit mixer (splitmix64 finalizer) so that combining by addition does not
// let structured inputs cancel out.
inline uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

template <typename T>
uint64_t HashFixed(T v, uint64_t type_salt) {
  uint64_t bits = 0;
  static_assert(sizeof(T) <= 8);
  std::memcpy(&bits, &v, sizeof(T));
  return Mix(bits ^ type_salt);
}

// A decimal over 18 digits: as an int64 when it fits (so the storage width never changes a
// hash), else both halves mixed.
inline uint64_t HashWide(Int128 v, uint64_t salt) {
  if (v >= INT64_MIN && v <= INT64_MAX) return HashFixed<int64_t>(static_cast<int64_t>(v), salt);
  const auto u = static_cast<UInt128>(v);
  return Mix(HashFixed<uint64_t>(static_cast<uint64_t>(u), salt) + static_cast<uint64_t>(u >> 64));
}

inline uint64_t HashDouble(double v, uint64_t salt) {
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
  return HashFixed<double>(v, salt);
}

// Folds one column into the row hashes: value i hashes to hash(i), a null to the column's
// null hash, in one pass. The combination is order-dependent within a row: (a, b) and
// (b, a) differ.
template <typename HashOf>
void FoldColumn(const Column& col, uint64_t salt, size_t n, uint64_t* rh, HashOf hash) {
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  if (!col.may_have_nulls()) {
    for (size_t i = 0; i < n; ++i) rh[i] = Mix(rh[i] * kPrime + hash(i));
    return;
  }
  const uint8_t* valid = col.validity().data();
  const uint64_t null_hash = kNullHash ^ salt;
  for (size_t i = 0; i < n; ++i) rh[i] = Mix(rh[i] * kPrime + (valid[i] ? hash(i) : null_hash));
}

}  // namespace

void ContentChecksum::HashRows(const RecordBatch& batch, std::vector<uint64_t>* row_hashes) const {
  size_t n = batch.num_rows();
  row_hashes->assign(n, kRowSeed);
  uint64_t* rh = row_hashes->data();
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    const Column& col = batch.columns[c];
    const uint64_t salt = Mix(static_cast<uint64_t>(col.type().id) + 1 + (c << 8));
    switch (col.type().id) {
      case TypeId::kBool: {
        const uint8_t* v = col.data<uint8_t>();
        FoldColumn(col, salt, n, rh, [&](size_t i) { return HashFixed<uint8_t>(v[i] ? 1 : 0, salt); });
        break;
      }
      case TypeId::kInt32:
      case TypeId::kDate: {
        const int32_t* v = col.data<int32_t>();
        FoldColumn(col, salt, n, rh, [&](size_t i) { return HashFixed<int32_t>(v[i], salt); });
        break;
      }
      case TypeId::kInt64:
      case TypeId::kTimestamp:
      case TypeId::kDecimal: {
        if (col.type().is_wide_decimal()) {
          const Int128* w = col.data<Int128>();
          FoldColumn(col, salt, n, rh, [&](size_t i) { return HashWide(w[i], salt); });
          break;
        }
        const int64_t* v = col.data<int64_t>();
        FoldColumn(col, salt, n, rh, [&](size_t i) { return HashFixed<int64_t>(v[i], salt); });
        break;
      }
      case TypeId::kFloat: {
        const float* v = col.data<float>();
        FoldColumn(col, salt, n, rh, [&](size_t i) { return HashDouble(static_cast<double>(v[i]), salt); });
        break;
      }
      case TypeId::kDouble: {
        const double* v = col.data<double>();
        FoldColumn(col, salt, n, rh, [&](size_t i) { return HashDouble(v[i], salt); });
        break;
      }
      case TypeId::kString:
      case TypeId::kBinary: {
        const uint64_t* off = col.offsets().data();
        const char* chars = col.chars().data();
        FoldColumn(col, salt, n, rh,
                   [&](size_t i) { return XXH3_64bits_withSeed(chars + off[i], off[i + 1] - off[i], salt); });
        break;
      }
      case TypeId::kStruct:
      case TypeId::kList:
      case TypeId::kMap:
        // The canonical JSON text of a nested value (value_json.h) names every element exactly.
        FoldColumn(col, salt, n, rh, [&](size_t i) {
          const std::string text = col.ValueToString(i);
          return XXH3_64bits_withSeed(text.data(), text.size(), salt);
        });
        break;
    }
  }
}

void ContentChecksum::Update(const RecordBatch& batch) {
  std::vector<uint64_t> rows;
  HashRows(batch, &rows);
  for (uint64_t h : rows) sum_ += h;
  rows_ += rows.size();
}

void ContentChecksum::UpdateSelected(const RecordBatch& batch, const std::vector<uint8_t>& keep) {
  std::vector<uint64_t> rows;
  HashRows(batch, &rows);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (keep[i]) {
      sum_ += rows[i];
      ++rows_;
    }
  }
}

void ContentChecksum::Merge(const ContentChecksum& other) {
  sum_ += other.sum_;
  rows_ += other.rows_;
}

std::string ContentChecksum::ToHex() const {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(sum_));
  return buf;
}

}  // namespace gaggle
