// The read floor for Avro: decode every record of an Avro container file with
// avro-c's generic value API and touch every field, doing nothing else. gaggle's
// Avro -> Parquet conversion cannot be faster than this; bench/run.sh prints the ratio.
// Usage: avro_decode_floor_bench FILE.avro
#include <avro.h>

#include <cstdint>
#include <cstdio>

namespace {

int64_t Touch(avro_value_t* v) {
  switch (avro_value_get_type(v)) {
    case AVRO_INT32: {
      int32_t x = 0;
      avro_value_get_int(v, &x);
      return x;
    }
    case AVRO_INT64: {
      int64_t x = 0;
      avro_value_get_long(v, &x);
      return x;
    }
    case AVRO_DOUBLE: {
      double x = 0;
      avro_value_get_double(v, &x);
      return static_cast<int64_t>(x);
    }
    case AVRO_FLOAT: {
      float x = 0;
      avro_value_get_float(v, &x);
      return static_cast<int64_t>(x);
    }
    case AVRO_BOOLEAN: {
      int x = 0;
      avro_value_get_boolean(v, &x);
      return x;
    }
    case AVRO_STRING: {
      const char* s = nullptr;
      size_t n = 0;
      avro_value_get_string(v, &s, &n);
      return static_cast<int64_t>(n);
    }
    case AVRO_UNION: {
      avro_value_t branch;
      avro_value_get_current_branch(v, &branch);
      return Touch(&branch);
    }
    default: return 0;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.avro\n", argv[0]);
    return 2;
  }
  avro_file_reader_t reader;
  if (avro_file_reader(argv[1], &reader) != 0) {
    std::fprintf(stderr, "avro: %s\n", avro_strerror());
    return 1;
  }
  avro_schema_t schema = avro_file_reader_get_writer_schema(reader);
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  avro_value_t record;
  avro_generic_value_new(iface, &record);
  size_t fields = 0;
  avro_value_get_size(&record, &fields);
  int64_t rows = 0, sink = 0;
  while (avro_file_reader_read_value(reader, &record) == 0) {
    for (size_t i = 0; i < fields; ++i) {
      avro_value_t field;
      avro_value_get_by_index(&record, i, &field, nullptr);
      sink += Touch(&field);
    }
    ++rows;
  }
  avro_value_decref(&record);
  avro_value_iface_decref(iface);
  avro_file_reader_close(reader);
  std::printf("%lld rows (checksum %lld)\n", static_cast<long long>(rows), static_cast<long long>(sink));
  return 0;
}
