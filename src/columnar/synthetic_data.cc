#include "columnar/synthetic_data.h"

#include <charconv>
#include <cstdio>

#include "columnar/value_format.h"

namespace gaggle {
namespace {

// Counter-based generator: value depends only on (seed, row, stream), so batches can
// be any size and the output stays the same.
inline uint64_t Rand(uint64_t seed, uint64_t row, uint64_t stream) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + row * 0xbf58476d1ce4e5b9ULL + stream * 0x94d049bb133111ebULL;
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

inline double Unit(uint64_t r) { return static_cast<double>(r >> 11) * (1.0 / 9007199254740992.0); }

const char* kCategories[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};
const char* kCountries[] = {"DE", "FR", "US", "GB", "JP", "BR", "IN", "NL", "SE", "ES", "IT", "CA"};
const char* kBadAmounts[] = {"n/a", "12,5", "", "1.2.3", "NaN?", "--4"};
const char* kSyllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "za", "qu", "be", "do", "fi", "gu"};
const char* kOses[] = {"android", "ios", "windows", "macos", "linux"};
const char* kModels[] = {"pixel-8", "iphone-15", "galaxy-s24", "thinkpad-x1", "macbook-air", "surface-9"};
const char* kAttrKeys[] = {"campaign", "referrer", "ab_group", "locale"};
const char* kAttrValues[] = {"spring-sale", "newsletter", "search", "social", "A", "B", "de-DE", "en-US", "fr-FR"};
constexpr int64_t kBaseMicros = 1704067200000000LL;  // 2024-01-01T00:00:00Z

void AppendName(uint64_t r, std::string* out) {
  out->clear();
  int syllables = 3 + static_cast<int>(r % 5);
  for (int i = 0; i < syllables; ++i) {
    r = r * 6364136223846793005ULL + 1442695040888963407ULL;
    out->append(kSyllables[(r >> 33) % 14]);
  }
}

// Writes `v` as exactly `width` decimal digits (zero-padded, the low digits kept) at `p`;
// returns the end. The generator's hot loop formats three strings a row, and snprintf's
// format parsing cost a third of generate-estate's time.
char* SyntheticPutDigits(char* p, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
  return p + width;
}

// "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ" for a timestamp in years 1000-9999.
std::string_view SyntheticIsoMillis(int64_t micros, char* buf) {
  const int64_t secs = micros / 1000000, sod = secs % 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(secs / 86400, &y, &m, &d);
  char* p = SyntheticPutDigits(buf, static_cast<uint64_t>(y), 4);
  *p++ = '-';
  p = SyntheticPutDigits(p, m, 2);
  *p++ = '-';
  p = SyntheticPutDigits(p, d, 2);
  *p++ = 'T';
  p = SyntheticPutDigits(p, static_cast<uint64_t>(sod / 3600), 2);
  *p++ = ':';
  p = SyntheticPutDigits(p, static_cast<uint64_t>(sod / 60 % 60), 2);
  *p++ = ':';
  p = SyntheticPutDigits(p, static_cast<uint64_t>(sod % 60), 2);
  *p++ = '.';
  p = SyntheticPutDigits(p, static_cast<uint64_t>(micros / 1000 % 1000), 3);
  *p++ = 'Z';
  return {buf, static_cast<size_t>(p - buf)};
}

// "[-]W.FF": `whole` in decimal, `cents` as two digits.
std::string_view SyntheticAmount(bool negative, uint64_t whole, uint64_t cents, char* buf) {
  char* p = buf;
  if (negative) *p++ = '-';
  p = std::to_chars(p, buf + 40, whole).ptr;
  *p++ = '.';
  p = SyntheticPutDigits(p, cents, 2);
  return {buf, static_cast<size_t>(p - buf)};
}

// `prefix` then `v` as `width` lower-case hex digits (v < 16^width).
std::string_view SyntheticPrefixedHex(std::string_view prefix, uint64_t v, int width, char* buf) {
  std::copy(prefix.begin(), prefix.end(), buf);
  char* p = buf + prefix.size();
  for (int i = width - 1; i >= 0; --i, v >>= 4) p[i] = "0123456789abcdef"[v & 15];
  return {buf, prefix.size() + static_cast<size_t>(width)};
}

}  // namespace

Result<SyntheticData> SyntheticData::Make(const std::string& profile, uint64_t seed, double bad_fraction) {
  if (bad_fraction < 0 || bad_fraction > 1) return Status::InvalidArgument("bad_fraction must be within [0, 1]");
  if (profile == "bench") {
    auto schema = std::make_shared<Schema>(std::vector<Field>{{"id", DataType::Int64(), false},
                                                              {"value", DataType::Double()},
                                                              {"name", DataType::String()},
                                                              {"ts", DataType::Timestamp()},
                                                              {"flag", DataType::Bool()},
                                                              {"score", DataType::Int64()},
                                                              {"category", DataType::String()}});
    return SyntheticData(Profile::kBench, seed, bad_fraction, std::move(schema));
  }
  if (profile == "events") {
    auto schema = std::make_shared<Schema>(std::vector<Field>{{"user_id", DataType::Int64(), false},
                                                              {"ts", DataType::String()},
                                                              {"amount", DataType::String()},
                                                              {"legacy_flag", DataType::Bool()},
                                                              {"country", DataType::String()},
                                                              {"session", DataType::String()}});
    return SyntheticData(Profile::kEvents, seed, bad_fraction, std::move(schema));
  }
  if (profile == "nested_events") {
    GAGGLE_ASSIGN_OR_RETURN(SyntheticData events, Make("events", seed, bad_fraction));
    std::vector<Field> fields = events.schema()->fields();
    fields.push_back({"device", DataType::Struct({{"os", DataType::String()},
                                                  {"os_version", DataType::String()},
                                                  {"model", DataType::String()}})});
    fields.push_back(
        {"items", DataType::List(DataType::Struct(
                      {{"sku", DataType::String()}, {"qty", DataType::Int32()}, {"price", DataType::Double()}}))});
    fields.push_back({"attrs", DataType::Map(DataType::String(), DataType::String())});
    return SyntheticData(Profile::kNestedEvents, seed, bad_fraction, std::make_shared<Schema>(std::move(fields)));
  }
  if (profile == "nested_bench") {
    auto schema = std::make_shared<Schema>(std::vector<Field>{
        {"id", DataType::Int64(), false},
        {"items", DataType::List(DataType::Struct(
                      {{"item_id", DataType::Int64()}, {"name", DataType::String()}, {"amount", DataType::Double()}}))},
        {"tags", DataType::Map(DataType::String(), DataType::String())},
        {"device", DataType::Struct({{"os", DataType::String()},
                                     {"version", DataType::String()},
                                     {"build", DataType::Int32()},
                                     {"score", DataType::Double()}})}});
    return SyntheticData(Profile::kNestedBench, seed, bad_fraction, std::move(schema));
  }
  return Status::InvalidArgument("unknown synthetic profile '" + profile +
                                 "' (expected bench, events, nested_events or nested_bench)");
}

void SyntheticData::NextBatch(size_t rows, RecordBatch* batch) {
  if (!batch->schema || batch->schema != schema_) {
    *batch = RecordBatch::Empty(schema_);
  } else {
    batch->Clear();
  }
  for (Column& c : batch->columns) c.Reserve(rows, rows * 12);
  if (profile_ == Profile::kBench) {
    FillBench(rows, batch);
  } else if (profile_ == Profile::kNestedBench) {
    FillNestedBench(rows, batch);
  } else {
    FillEvents(rows, batch);
    if (profile_ == Profile::kNestedEvents) FillNested(rows, batch);
  }
  next_row_ += rows;
}

void SyntheticData::FillBench(size_t rows, RecordBatch* batch) {
  std::string name;
  for (size_t i = 0; i < rows; ++i) {
    uint64_t row = next_row_ + i;
    batch->columns[0].Append<int64_t>(static_cast<int64_t>(row));
    batch->columns[1].Append<double>(Unit(Rand(seed_, row, 1)) * 1000.0 - 100.0);
    AppendName(Rand(seed_, row, 2), &name);
    batch->columns[2].AppendString(name);
    batch->columns[3].Append<int64_t>(kBaseMicros + static_cast<int64_t>(row) * 1000 +
                                      static_cast<int64_t>(Rand(seed_, row, 3) % 1000));
    batch->columns[4].Append<uint8_t>(Rand(seed_, row, 4) & 1);
    uint64_t s = Rand(seed_, row, 5);
    if (s % 10 < 3) {
      batch->columns[5].AppendNull();
    } else {
      batch->columns[5].Append<int64_t>(static_cast<int64_t>(s >> 40) - 5000);
    }
    // Skewed categories: the first ones are far more common, as in real data.
    uint64_t c = Rand(seed_, row, 6) % 64;
    batch->columns[6].AppendString(kCategories[c < 32 ? 0 : c < 48 ? 1 : c < 56 ? 2 : 3 + c % 5]);
  }
}

void SyntheticData::FillEvents(size_t rows, RecordBatch* batch) {
  char buf[64];
  for (size_t i = 0; i < rows; ++i) {
    uint64_t row = next_row_ + i;
    batch->columns[0].Append<int64_t>(static_cast<int64_t>(Rand(seed_, row, 1) % 1000000) + 1);
    int64_t ts = kBaseMicros + static_cast<int64_t>(row) * 37000 + static_cast<int64_t>(Rand(seed_, row, 2) % 1000);
    batch->columns[1].AppendString(SyntheticIsoMillis(ts, buf));
    uint64_t a = Rand(seed_, row, 3);
    if (bad_fraction_ > 0 && Unit(Rand(seed_, row, 7)) < bad_fraction_) {
      batch->columns[2].AppendString(kBadAmounts[a % 6]);
    } else {
      // About 1% refunds (negative amounts): material for a migration's filter.
      batch->columns[2].AppendString(SyntheticAmount((a >> 48) % 100 == 0, a % 50000, (a >> 20) % 100, buf));
    }
    batch->columns[3].Append<uint8_t>((Rand(seed_, row, 4) % 7) == 0);
    batch->columns[4].AppendString(kCountries[Rand(seed_, row, 5) % 12]);
    uint64_t s = Rand(seed_, row, 6);
    if (s % 10 == 0) {
      batch->columns[5].AppendNull();
    } else {
      batch->columns[5].AppendString(SyntheticPrefixedHex("s-", s >> 32, 8, buf));
    }
  }
}

// Columns 6.. of nested_events: device, items, attrs.
void SyntheticData::FillNested(size_t rows, RecordBatch* batch) {
  Column& device = batch->columns[6];
  Column& items = batch->columns[7];
  Column& attrs = batch->columns[8];
  Column& item = items.child(0);
  Column& entries = attrs.child(0);
  char buf[64];
  for (size_t i = 0; i < rows; ++i) {
    const uint64_t row = next_row_ + i;
    const uint64_t d = Rand(seed_, row, 10);
    if (d % 20 == 0) {
      device.AppendNull();
    } else {
      const uint64_t os = (d >> 8) % 5;
      device.child(0).AppendString(kOses[os]);
      std::snprintf(buf, sizeof(buf), "%llu.%llu", static_cast<unsigned long long>(10 + (d >> 16) % 8),
                    static_cast<unsigned long long>((d >> 24) % 4));
      device.child(1).AppendString(buf);
      device.child(2).AppendString(kModels[(d >> 32) % 6]);
      device.CommitStruct();
    }
    const uint64_t it = Rand(seed_, row, 11);
    if (it % 32 == 0) {
      items.AppendNull();
    } else {
      const uint64_t n = (it >> 8) % 5;
      for (uint64_t k = 0; k < n; ++k) {
        const uint64_t r = Rand(seed_, row * 8 + k, 12);
        std::snprintf(buf, sizeof(buf), "sku-%05llu", static_cast<unsigned long long>(r % 20000));
        item.child(0).AppendString(buf);
        item.child(1).Append<int32_t>(static_cast<int32_t>(1 + (r >> 20) % 5));
        item.child(2).Append<double>(static_cast<double>((r >> 32) % 50000) / 100.0);
        item.CommitStruct();
      }
      items.CommitList();
    }
    const uint64_t a = Rand(seed_, row, 13);
    const uint64_t m = a % 4;
    for (uint64_t k = 0; k < m; ++k) {  // distinct keys: m of the four, from a rotating start
      entries.child(0).AppendString(kAttrKeys[(a / 4 + k) % 4]);
      entries.child(1).AppendString(kAttrValues[(a >> (8 + 4 * k)) % 9]);
      entries.CommitStruct();
    }
    attrs.CommitList();
  }
}

// The nested benchmark's table: id, items, tags, device (see the header).
void SyntheticData::FillNestedBench(size_t rows, RecordBatch* batch) {
  Column& items = batch->columns[1];
  Column& item = items.child(0);
  Column& tags = batch->columns[2];
  Column& entries = tags.child(0);
  Column& device = batch->columns[3];
  std::string name;
  char buf[32];
  for (size_t i = 0; i < rows; ++i) {
    const uint64_t row = next_row_ + i;
    batch->columns[0].Append<int64_t>(static_cast<int64_t>(row));
    const uint64_t it = Rand(seed_, row, 20);
    if (it % 50 == 0) {
      items.AppendNull();
    } else {
      for (uint64_t k = 0, n = (it >> 8) % 9; k < n; ++k) {
        const uint64_t r = Rand(seed_, row * 8 + k, 21);
        item.child(0).Append<int64_t>(static_cast<int64_t>(r % 1000000));
        AppendName(r >> 20, &name);
        item.child(1).AppendString(name);
        item.child(2).Append<double>(static_cast<double>((r >> 32) % 100000) / 100.0);
        item.CommitStruct();
      }
      items.CommitList();
    }
    const uint64_t t = Rand(seed_, row, 22);
    for (uint64_t k = 0, m = t % 5; k < m; ++k) {  // distinct keys: m of the four, from a rotating start
      entries.child(0).AppendString(kAttrKeys[(t / 5 + k) % 4]);
      entries.child(1).AppendString(kAttrValues[(t >> (8 + 4 * k)) % 9]);
      entries.CommitStruct();
    }
    tags.CommitList();
    const uint64_t d = Rand(seed_, row, 23);
    if (d % 20 == 0) {
      device.AppendNull();
      continue;
    }
    device.child(0).AppendString(kOses[(d >> 8) % 5]);
    std::snprintf(buf, sizeof(buf), "%llu.%llu", static_cast<unsigned long long>(10 + (d >> 16) % 8),
                  static_cast<unsigned long long>((d >> 24) % 4));
    device.child(1).AppendString(buf);
    device.child(2).Append<int32_t>(static_cast<int32_t>((d >> 32) % 100000));
    device.child(3).Append<double>(Unit(Rand(seed_, row, 24)));
    device.CommitStruct();
  }
}

}  // namespace gaggle
