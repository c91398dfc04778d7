#include "validate/column_profile.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "columnar/value_format.h"
#include "validate/drift.h"

namespace gaggle {
namespace {

constexpr uint64_t kIntSalt = 0x51ed270b27c1f1a5ULL;
constexpr uint64_t kNullHash = 0x2545f4914f6cdd1dULL;
constexpr uint64_t kNanHash = 0x7ff8dead7ff8beefULL;
constexpr size_t kTextCut = 64;

inline uint64_t HashInt(int64_t v) { return MixHash64(static_cast<uint64_t>(v) ^ kIntSalt); }
// A 128-bit value that fits 64 bits hashes as that int64, so a decimal keeps its hashes
// whatever its storage width.
inline uint64_t HashWide(Int128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) return HashInt(static_cast<int64_t>(v));
  const auto u = static_cast<UInt128>(v);
  return MixHash64(HashInt(static_cast<int64_t>(static_cast<uint64_t>(u))) ^ static_cast<uint64_t>(u >> 64));
}

inline uint64_t HashDouble(double v) {
  if (v == 0.0) v = 0.0;  // -0.0 and 0.0 are one value
  uint64_t bits;
  static_assert(sizeof(bits) == sizeof(v));
  std::memcpy(&bits, &v, sizeof(bits));
  return MixHash64(bits);
}

std::string CutText(std::string_view s, bool binary) {
  if (binary) {
    std::string hex = HexEncode(s.substr(0, kTextCut / 2));
    return s.size() > kTextCut / 2 ? hex + "..." : hex;
  }
  if (s.size() <= kTextCut) return std::string(s);
  size_t cut = kTextCut;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
  return std::string(s.substr(0, cut)) + "...";
}

size_t PowerOfTwoAtLeast(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

ColumnKind KindOfType(const DataType& type) {
  switch (type.id) {
    case TypeId::kString:
    case TypeId::kBool: return ColumnKind::kCategorical;
    case TypeId::kBinary:
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: return ColumnKind::kOpaque;
    default: return ColumnKind::kNumeric;
  }
}

ColumnProfile::ColumnProfile(std::string name, DataType type, const ProfileOptions& options)
    : name_(std::move(name)),
      type_(type),
      kind_(KindOfType(type)),
      options_(options),
      hll_(options.hll_precision),
      counter_(type.is_variable_width() || type.is_nested() ? options.top_capacity : 1) {
  if (kind_ == ColumnKind::kNumeric) {
    sample_.assign(options_.sample_rows, 0.0);
    sample_valid_.assign(options_.sample_rows, 0);
  }
  if (type_.is_variable_width() || type_.is_nested())
    histogram_.assign(PowerOfTwoAtLeast(std::max<size_t>(options_.histogram_bins, 1)), 0);
}

double ColumnProfile::ToNumber(Int128 v) const {
  if (type_.id == TypeId::kDecimal) return static_cast<double>(v) / std::pow(10.0, type_.scale);
  return static_cast<double>(v);
}

void ColumnProfile::Update(const Column& column) {
  rows_ += static_cast<int64_t>(column.size());
  switch (type_.id) {
    case TypeId::kBool: UpdateBool(column); break;
    case TypeId::kInt32:
    case TypeId::kDate: UpdateInteger<int32_t>(column); break;
    case TypeId::kInt64:
    case TypeId::kTimestamp: UpdateInteger<int64_t>(column); break;
    case TypeId::kDecimal:
      if (type_.is_wide_decimal()) {
        UpdateWideDecimal(column);
      } else {
        UpdateInteger<int64_t>(column);
      }
      break;
    case TypeId::kFloat: UpdateFloating<float>(column); break;
    case TypeId::kDouble: UpdateFloating<double>(column); break;
    case TypeId::kString:
    case TypeId::kBinary: UpdateBytes(column); break;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap: {
      // Nested values are profiled as opaque values through their JSON text (value_json.h);
      // statistics per leaf are future work.
      Column text(DataType::Binary());
      for (size_t i = 0; i < column.size(); ++i) {
        if (column.IsNull(i)) {
          text.AppendNull();
        } else {
          text.AppendString(column.ValueToString(i));
        }
      }
      UpdateBytes(text);
      break;
    }
  }
}

template <typename T>
void ColumnProfile::UpdateInteger(const Column& column) {
  const size_t n = column.size();
  if (n == 0) return;
  const T* v = column.data<T>();
  size_t count = n;
  if (column.may_have_nulls()) {
    // Compact the values branch-free first: null patterns are unpredictable.
    std::vector<T>* buffer;
    if constexpr (sizeof(T) == 4) {
      buffer = &int32_scratch_;
    } else {
      buffer = &int64_scratch_;
    }
    buffer->resize(n);
    T* out = buffer->data();
    const uint8_t* valid = column.validity().data();
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      out[k] = v[i];
      k += valid[i] != 0;
    }
    v = out;
    count = k;
    nulls_ += static_cast<int64_t>(n - count);
    fingerprint_ += static_cast<uint64_t>(n - count) * kNullHash;
  }
  if (count == 0) return;
  T mn = v[0], mx = v[0];
  for (size_t i = 0; i < count; ++i) {
    mn = std::min(mn, v[i]);
    mx = std::max(mx, v[i]);
  }
  Int128 sum = 0;
  for (size_t i = 0; i < count; ++i) sum += v[i];
  uint64_t fp = 0;
  for (size_t i = 0; i < count; ++i) {
    const uint64_t h = HashInt(v[i]);
    hll_.AddHash(h);
    fp += h;
  }
  fingerprint_ += fp;
  if (numeric_count_ == 0) {
    int_min_ = mn;
    int_max_ = mx;
  } else {
    int_min_ = std::min<Int128>(int_min_, mn);
    int_max_ = std::max<Int128>(int_max_, mx);
  }
  int_sum_ += sum;
  numeric_count_ += static_cast<int64_t>(count);
}

// Decimals over 18 digits: exact extremes, and a floating sum (two such values can already
// overflow a 128-bit sum). Rare enough in real data to go row by row.
void ColumnProfile::UpdateWideDecimal(const Column& column) {
  const size_t n = column.size();
  uint64_t fp = 0;
  for (size_t i = 0; i < n; ++i) {
    if (column.IsNull(i)) {
      ++nulls_;
      fp += kNullHash;
      continue;
    }
    const Int128 v = column.Get<Int128>(i);
    if (numeric_count_ == 0) {
      int_min_ = v;
      int_max_ = v;
    } else {
      int_min_ = std::min(int_min_, v);
      int_max_ = std::max(int_max_, v);
    }
    wide_sum_ += static_cast<long double>(v);
    const uint64_t h = HashWide(v);
    hll_.AddHash(h);
    fp += h;
    ++numeric_count_;
  }
  fingerprint_ += fp;
}

template <typename T>
void ColumnProfile::UpdateFloating(const Column& column) {
  const size_t n = column.size();
  if (n == 0) return;
  const T* v = column.data<T>();
  size_t present = n;
  if (column.may_have_nulls()) {
    std::vector<T>* buffer;
    if constexpr (sizeof(T) == 4) {
      buffer = &float_scratch_;
    } else {
      buffer = &double_scratch_;
    }
    buffer->resize(n);
    T* out = buffer->data();
    const uint8_t* valid = column.validity().data();
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      out[k] = v[i];
      k += valid[i] != 0;
    }
    v = out;
    present = k;
    nulls_ += static_cast<int64_t>(n - present);
    fingerprint_ += static_cast<uint64_t>(n - present) * kNullHash;
  }
  double mn = std::numeric_limits<double>::infinity();
  double mx = -std::numeric_limits<double>::infinity();
  double sum = 0;
  int64_t count = 0, nans = 0;
  uint64_t fp = 0;
  for (size_t i = 0; i < present; ++i) {
    const double d = static_cast<double>(v[i]);
    if (std::isnan(d)) {
      ++nans;
      continue;
    }
    mn = std::min(mn, d);
    mx = std::max(mx, d);
    sum += d;
    const uint64_t h = HashDouble(d);
    hll_.AddHash(h);
    fp += h;
    ++count;
  }
  nans_ += nans;
  fingerprint_ += fp + static_cast<uint64_t>(nans) * kNanHash;
  if (count == 0) return;
  if (numeric_count_ == 0) {
    float_min_ = mn;
    float_max_ = mx;
  } else {
    float_min_ = std::min(float_min_, mn);
    float_max_ = std::max(float_max_, mx);
  }
  float_sum_ += sum;
  numeric_count_ += count;
}

void ColumnProfile::UpdateBool(const Column& column) {
  const size_t n = column.size();
  const uint8_t* v = column.data<uint8_t>();
  int64_t trues = 0, count = 0;
  if (!column.may_have_nulls()) {
    for (size_t i = 0; i < n; ++i) trues += v[i] != 0;
    count = static_cast<int64_t>(n);
  } else {
    const uint8_t* valid = column.validity().data();
    for (size_t i = 0; i < n; ++i) {
      trues += valid[i] && v[i] != 0;
      count += valid[i] != 0;
    }
  }
  nulls_ += static_cast<int64_t>(n) - count;
  fingerprint_ += static_cast<uint64_t>(static_cast<int64_t>(n) - count) * kNullHash +
                  static_cast<uint64_t>(trues) * HashInt(1) + static_cast<uint64_t>(count - trues) * HashInt(0);
  trues_ += trues;
  numeric_count_ += count;
}

namespace {

// The first 8 bytes of a string as a big-endian number, zero-padded: comparing two
// prefixes orders the strings unless the prefixes are equal (then compare in full).
// `avail` is how many bytes may be read from `p` (at least the string's size).
inline uint64_t Prefix8(const char* p, size_t size, size_t avail) {
  uint64_t v = 0;
  if (avail >= 8) {
    std::memcpy(&v, p, 8);
    v = __builtin_bswap64(v);
    if (size < 8) v = size == 0 ? 0 : v & (~uint64_t{0} << (8 * (8 - size)));
    return v;
  }
  unsigned char buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(buf, p, std::min<size_t>(size, 8));
  std::memcpy(&v, buf, 8);
  return __builtin_bswap64(v);
}

}  // namespace

void ColumnProfile::UpdateBytes(const Column& column) {
  const size_t n = column.size();
  if (n == 0) return;
  const uint64_t* off = column.offsets().data();
  const char* chars = column.chars().data();
  const size_t chars_size = column.chars().size();
  // The rows with a value (all of them when the column has no nulls).
  rows_scratch_.clear();
  if (column.may_have_nulls()) {
    const uint8_t* valid = column.validity().data();
    for (size_t i = 0; i < n; ++i) {
      if (valid[i]) rows_scratch_.push_back(static_cast<uint32_t>(i));
    }
  } else {
    rows_scratch_.resize(n);
    for (size_t i = 0; i < n; ++i) rows_scratch_[i] = static_cast<uint32_t>(i);
  }
  const size_t count = rows_scratch_.size();
  const uint32_t* rows = rows_scratch_.data();
  // One pass per structure, so each keeps its cache lines to itself.
  hashes_.resize(count);
  uint64_t* h = hashes_.data();
  for (size_t k = 0; k < count; ++k) h[k] = XXH3_64bits(chars + off[rows[k]], off[rows[k] + 1] - off[rows[k]]);
  hll_.AddHashes(h, count);
  uint64_t fp = 0;
  const size_t bin_mask = histogram_.size() - 1;
  int64_t* hist = histogram_.data();
  for (size_t k = 0; k < count; ++k) {
    fp += h[k];
    ++hist[h[k] & bin_mask];
  }
  for (size_t k = 0; k < count; ++k) {
    counter_.Add(h[k], std::string_view(chars + off[rows[k]], off[rows[k] + 1] - off[rows[k]]));
  }
  nulls_ += static_cast<int64_t>(n - count);
  fingerprint_ += fp + static_cast<uint64_t>(n - count) * kNullHash;
  numeric_count_ += static_cast<int64_t>(count);
  if (count == 0) return;

  std::string_view mn(chars + off[rows[0]], off[rows[0] + 1] - off[rows[0]]), mx = mn;
  uint64_t mn_prefix = Prefix8(mn.data(), mn.size(), chars_size - off[rows[0]]), mx_prefix = mn_prefix;
  for (size_t k = 1; k < count; ++k) {
    const char* p = chars + off[rows[k]];
    const size_t len = off[rows[k] + 1] - off[rows[k]];
    const uint64_t prefix = Prefix8(p, len, chars_size - off[rows[k]]);
    if (prefix < mn_prefix || (prefix == mn_prefix && std::string_view(p, len) < mn)) {
      mn = std::string_view(p, len);
      mn_prefix = prefix;
    } else if (prefix > mx_prefix || (prefix == mx_prefix && std::string_view(p, len) > mx)) {
      mx = std::string_view(p, len);
      mx_prefix = prefix;
    }
  }
  if (!has_text_extremes_) {
    text_min_.assign(mn);
    text_max_.assign(mx);
    has_text_extremes_ = true;
  } else {
    if (mn < text_min_) text_min_.assign(mn);
    if (mx > text_max_) text_max_.assign(mx);
  }
}

void ColumnProfile::Sample(const Column& column, const std::vector<RowReservoir::Pick>& picks) {
  if (kind_ != ColumnKind::kNumeric) return;
  for (const RowReservoir::Pick& p : picks) {
    if (p.slot >= sample_.size()) continue;
    double value = 0;
    bool ok = column.IsValid(p.row);
    if (ok) {
      switch (type_.id) {
        case TypeId::kInt32:
        case TypeId::kDate: value = static_cast<double>(column.Get<int32_t>(p.row)); break;
        case TypeId::kInt64:
        case TypeId::kTimestamp: value = static_cast<double>(column.Get<int64_t>(p.row)); break;
        case TypeId::kDecimal:
          value = ToNumber(type_.is_wide_decimal() ? column.Get<Int128>(p.row) : column.Get<int64_t>(p.row));
          break;
        case TypeId::kFloat: value = static_cast<double>(column.Get<float>(p.row)); break;
        case TypeId::kDouble: value = column.Get<double>(p.row); break;
        default: ok = false; break;
      }
      if (std::isnan(value)) ok = false;
    }
    sample_[p.slot] = ok ? value : 0.0;
    sample_valid_[p.slot] = ok ? 1 : 0;
  }
}

ColumnSummary ColumnProfile::Summarize() const {
  ColumnSummary s;
  s.name = name_;
  s.type = type_;
  s.rows = rows_;
  s.nulls = nulls_;
  s.nans = nans_;
  s.distinct = hll_.Estimate();
  s.fingerprint = fingerprint_;
  switch (type_.id) {
    case TypeId::kBool: {
      const int64_t falses = numeric_count_ - trues_;
      s.distinct = static_cast<double>((falses > 0) + (trues_ > 0));
      if (numeric_count_ > 0) {
        s.min = falses > 0 ? 0.0 : 1.0;
        s.max = trues_ > 0 ? 1.0 : 0.0;
        s.mean = static_cast<double>(trues_) / static_cast<double>(numeric_count_);
        s.min_text = falses > 0 ? "false" : "true";
        s.max_text = trues_ > 0 ? "true" : "false";
      }
      if (trues_ > 0) s.top_values.push_back({"true", trues_});
      if (falses > 0) s.top_values.push_back({"false", falses});
      if (falses > trues_) std::reverse(s.top_values.begin(), s.top_values.end());
      s.top_values_exact = true;
      s.categories = {{0, falses}, {1, trues_}};
      s.categories_exact = true;
      break;
    }
    case TypeId::kFloat:
    case TypeId::kDouble:
      if (numeric_count_ > 0) {
        s.min = float_min_;
        s.max = float_max_;
        s.mean = float_sum_ / static_cast<double>(numeric_count_);
        s.min_text = FormatDouble(float_min_);
        s.max_text = FormatDouble(float_max_);
      }
      break;
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      s.categories = counter_.HashCounts();
      s.categories_exact = counter_.exact();
      s.histogram = histogram_;
      break;
    case TypeId::kString:
    case TypeId::kBinary: {
      const bool binary = type_.id == TypeId::kBinary;
      if (has_text_extremes_) {
        s.min_text = CutText(text_min_, binary);
        s.max_text = CutText(text_max_, binary);
      }
      if (!binary) {
        s.top_values = counter_.Values();
        if (!counter_.exact()) {
          // Past capacity a count is low by up to n / (capacity + 1): report only the values
          // at least that frequent (the guaranteed heavy hitters), not the noise below.
          const int64_t floor = counter_.total() / static_cast<int64_t>(options_.top_capacity + 1);
          std::erase_if(s.top_values, [floor](const ValueCount& v) { return v.count < std::max<int64_t>(floor, 1); });
        }
        if (s.top_values.size() > options_.top_reported) s.top_values.resize(options_.top_reported);
        s.top_values_exact = counter_.exact();
      }
      s.categories = counter_.HashCounts();
      s.categories_exact = counter_.exact();
      s.histogram = histogram_;
      break;
    }
    default:  // integer-backed
      if (numeric_count_ > 0) {
        s.min = ToNumber(int_min_);
        s.max = ToNumber(int_max_);
        s.mean = static_cast<double>(int_sum_) / static_cast<double>(numeric_count_);
        if (type_.is_wide_decimal()) s.mean = static_cast<double>(wide_sum_ / static_cast<long double>(numeric_count_));
        if (type_.id == TypeId::kDecimal) s.mean = *s.mean / std::pow(10.0, type_.scale);
        switch (type_.id) {
          case TypeId::kDate:
            s.min_text = FormatDate(static_cast<int32_t>(int_min_));
            s.max_text = FormatDate(static_cast<int32_t>(int_max_));
            break;
          case TypeId::kTimestamp:
            s.min_text = FormatTimestamp(static_cast<int64_t>(int_min_), type_.utc);
            s.max_text = FormatTimestamp(static_cast<int64_t>(int_max_), type_.utc);
            break;
          case TypeId::kDecimal:
            s.min_text = FormatDecimal128(int_min_, type_.scale);
            s.max_text = FormatDecimal128(int_max_, type_.scale);
            break;
          default:
            s.min_text = std::to_string(static_cast<int64_t>(int_min_));
            s.max_text = std::to_string(static_cast<int64_t>(int_max_));
        }
      }
      break;
  }
  if (kind_ == ColumnKind::kNumeric) {
    for (size_t i = 0; i < sample_.size(); ++i) {
      if (sample_valid_[i]) s.sample.push_back(sample_[i]);
    }
    std::sort(s.sample.begin(), s.sample.end());
    s.sample_size = static_cast<int64_t>(s.sample.size());
    if (!s.sample.empty()) {
      for (double level : kQuantileLevels) s.quantiles.push_back(SampleQuantile(s.sample, level));
    }
  }
  return s;
}

}  // namespace gaggle
