// The content checksum over nested columns: the same rows give the same checksum whatever
// their order, and a change at any leaf (a value deep in a list of structs, a map value, a
// null element, a null list versus an empty one) changes it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "dataset/content_checksum.h"
#include "formats/jsonl/jsonl_reader.h"

namespace gaggle {
namespace {

std::string ChecksumOf(const std::vector<std::string>& lines) {
  // One file per process: ctest runs these tests as concurrent processes.
  const std::string path = ::testing::TempDir() + "nested_checksum_test." + std::to_string(::getpid()) + ".jsonl";
  {
    std::ofstream f(path);
    for (const std::string& l : lines) f << l << "\n";
  }
  ReadOptions options;
  options.schema = *ParseSchemaText(
      "id: int64, items: list<struct<sku:string,qty:int32>>, attrs: map<string,string>, "
      "device: struct<os:string,geo:struct<lat:double>>");
  auto reader = OpenJsonlReader(FileSystem::Default(), path, options);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  ContentChecksum sum;
  RecordBatch b;
  while (true) {
    auto more = (*reader)->Next(&b);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    sum.Update(b);
  }
  reader->reset();
  std::remove(path.c_str());
  return sum.ToHex();
}

const char* const kRow1 =
    R"({"id":1,"items":[{"sku":"a","qty":1},{"sku":"b","qty":null}],"attrs":{"k":"v"},"device":{"os":"linux","geo":{"lat":1.5}}})";
const char* const kRow2 = R"({"id":2,"items":[],"attrs":null,"device":null})";

TEST(NestedChecksum, SameRowsSameChecksumInAnyOrder) {
  EXPECT_EQ(ChecksumOf({kRow1, kRow2}), ChecksumOf({kRow2, kRow1}));
}

TEST(NestedChecksum, EveryLeafChangeIsSeen) {
  const std::string base = ChecksumOf({kRow1, kRow2});
  const std::vector<std::string> changed_row1 = {
      // a value deep in a list of structs
      R"({"id":1,"items":[{"sku":"a","qty":2},{"sku":"b","qty":null}],"attrs":{"k":"v"},"device":{"os":"linux","geo":{"lat":1.5}}})",
      // a null element field becoming a value
      R"({"id":1,"items":[{"sku":"a","qty":1},{"sku":"b","qty":0}],"attrs":{"k":"v"},"device":{"os":"linux","geo":{"lat":1.5}}})",
      // elements swapped
      R"({"id":1,"items":[{"sku":"b","qty":null},{"sku":"a","qty":1}],"attrs":{"k":"v"},"device":{"os":"linux","geo":{"lat":1.5}}})",
      // a map value, and a map key
      R"({"id":1,"items":[{"sku":"a","qty":1},{"sku":"b","qty":null}],"attrs":{"k":"w"},"device":{"os":"linux","geo":{"lat":1.5}}})",
      R"({"id":1,"items":[{"sku":"a","qty":1},{"sku":"b","qty":null}],"attrs":{"j":"v"},"device":{"os":"linux","geo":{"lat":1.5}}})",
      // a struct two levels down, and a null struct inside
      R"({"id":1,"items":[{"sku":"a","qty":1},{"sku":"b","qty":null}],"attrs":{"k":"v"},"device":{"os":"linux","geo":{"lat":1.25}}})",
      R"({"id":1,"items":[{"sku":"a","qty":1},{"sku":"b","qty":null}],"attrs":{"k":"v"},"device":{"os":"linux","geo":null}})",
  };
  for (const std::string& row : changed_row1) EXPECT_NE(ChecksumOf({row, kRow2}), base) << row;
  // An empty list versus a null list, an empty map versus a null map.
  EXPECT_NE(ChecksumOf({kRow1, R"({"id":2,"items":null,"attrs":null,"device":null})"}), base);
  EXPECT_NE(ChecksumOf({kRow1, R"({"id":2,"items":[],"attrs":{},"device":null})"}), base);
}

}  // namespace
}  // namespace gaggle
