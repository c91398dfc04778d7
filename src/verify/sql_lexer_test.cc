#include "verify/sql_lexer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace gaggle {
namespace {

// "kind:text" per token, whitespace shown as kind only.
std::vector<std::string> Describe(std::string_view sql) {
  auto tokens = TokenizeSql(sql);
  EXPECT_TRUE(tokens.ok()) << tokens.status().ToString();
  std::vector<std::string> out;
  if (!tokens.ok()) return out;
  for (const SqlToken& t : *tokens) {
    if (t.kind == SqlTokenKind::kWhitespace) continue;
    out.push_back(std::string(SqlTokenKindName(t.kind)) + ":" + std::string(t.text));
  }
  return out;
}

std::string Concat(const std::vector<SqlToken>& tokens) {
  std::string out;
  for (const SqlToken& t : tokens) out += t.text;
  return out;
}

TEST(SqlLexerTest, DemoQueryTokens) {
  EXPECT_EQ(Describe("SELECT country, COUNT(*) AS n FROM t WHERE x >= 2"),
            (std::vector<std::string>{"identifier:SELECT", "identifier:country", "operator:,", "identifier:COUNT",
                                      "operator:(", "operator:*", "operator:)", "identifier:AS", "identifier:n",
                                      "identifier:FROM", "identifier:t", "identifier:WHERE", "identifier:x",
                                      "operator:>=", "number:2"}));
}

TEST(SqlLexerTest, MultiCharacterOperators) {
  EXPECT_EQ(Describe("a<=b>=c<>d!=e||f::g==h->i->>j:=k=>l<<m>>n"),
            (std::vector<std::string>{"identifier:a", "operator:<=",  "identifier:b", "operator:>=",  "identifier:c",
                                      "operator:<>",  "identifier:d", "operator:!=",  "identifier:e", "operator:||",
                                      "identifier:f", "operator:::",  "identifier:g", "operator:==",  "identifier:h",
                                      "operator:->",  "identifier:i", "operator:->>", "identifier:j", "operator::=",
                                      "identifier:k", "operator:=>",  "identifier:l", "operator:<<",  "identifier:m",
                                      "operator:>>",  "identifier:n"}));
}

TEST(SqlLexerTest, QuotedIdentifiersAndNames) {
  auto tokens = TokenizeSql(R"("a""b" `c``d` [e]]f] plain)");
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  std::vector<SqlToken> ids;
  for (const SqlToken& t : *tokens) {
    if (t.IsIdentifier()) ids.push_back(t);
  }
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[0].kind, SqlTokenKind::kQuotedIdentifier);
  EXPECT_EQ(ids[0].name, "a\"b");
  EXPECT_EQ(ids[0].quote, '"');
  EXPECT_EQ(ids[0].text, "\"a\"\"b\"");
  EXPECT_EQ(ids[1].name, "c`d");
  EXPECT_EQ(ids[1].quote, '`');
  EXPECT_EQ(ids[2].name, "e]f");
  EXPECT_EQ(ids[2].quote, '[');
  EXPECT_EQ(ids[3].kind, SqlTokenKind::kIdentifier);
  EXPECT_EQ(ids[3].name, "plain");
  EXPECT_EQ(ids[3].quote, 0);
}

TEST(SqlLexerTest, StringsAndEscapes) {
  EXPECT_EQ(Describe("'it''s' E'a\\'b' e'\\\\' $$x'y$$ $tag$ $$ $tag$ X'ff'"),
            (std::vector<std::string>{"string:'it''s'", "string:E'a\\'b'", "string:e'\\\\'", "string:$$x'y$$",
                                      "string:$tag$ $$ $tag$", "string:X'ff'"}));
}

TEST(SqlLexerTest, CommentsKeepIdentifiersInside) {
  EXPECT_EQ(Describe("a -- user_id here\n/* ts */b--end"),
            (std::vector<std::string>{"identifier:a", "line comment:-- user_id here", "block comment:/* ts */",
                                      "identifier:b", "line comment:--end"}));
}

TEST(SqlLexerTest, NumbersAndParameters) {
  EXPECT_EQ(
      Describe("1 1.5 .5 1e-3 2E+4 0x1F 3. $1 ? ?2 :name a::b 1..2"),
      (std::vector<std::string>{"number:1", "number:1.5", "number:.5", "number:1e-3", "number:2E+4", "number:0x1F",
                                "number:3.", "parameter:$1", "parameter:?", "parameter:?2", "parameter::name",
                                "identifier:a", "operator:::", "identifier:b", "number:1", "operator:.", "number:.2"}));
}

TEST(SqlLexerTest, LinesAndColumns) {
  auto tokens = TokenizeSql("SELECT a,\n  \"b\"\r\n FROM t");
  ASSERT_TRUE(tokens.ok());
  std::vector<std::string> where;
  for (const SqlToken& t : *tokens) {
    if (!t.IsTrivia()) where.push_back(std::string(t.text) + "@" + SqlPosition(t) + "/" + std::to_string(t.offset));
  }
  EXPECT_EQ(where, (std::vector<std::string>{"SELECT@line 1 col 1/0", "a@line 1 col 8/7", ",@line 1 col 9/8",
                                             "\"b\"@line 2 col 3/12", "FROM@line 3 col 2/18", "t@line 3 col 7/23"}));
}

TEST(SqlLexerTest, IdentifiersMayHoldUtf8AndDollar) {
  EXPECT_EQ(Describe("SELECT größe, a$b FROM t"),
            (std::vector<std::string>{"identifier:SELECT", "identifier:größe", "operator:,", "identifier:a$b",
                                      "identifier:FROM", "identifier:t"}));
}

TEST(SqlLexerTest, ErrorsNameLineAndColumn) {
  const std::pair<std::string, std::string> cases[] = {
      {"SELECT 'abc", "line 1 col 8: unterminated string literal"},
      {"SELECT\n  \"abc", "line 2 col 3: unterminated quoted identifier"},
      {"SELECT `abc", "line 1 col 8: unterminated quoted identifier"},
      {"SELECT [abc", "line 1 col 8: unterminated quoted identifier"},
      {"SELECT 1 /* x", "line 1 col 10: unterminated block comment"},
      {"SELECT E'abc\\'", "line 1 col 8: unterminated string literal"},
      {"SELECT $q$abc", "line 1 col 8: unterminated dollar-quoted string"},
      {std::string("SELECT 1,\n x\0", 13), "line 2 col 3: NUL byte in query text"},
      {std::string("SELECT 'a\0'", 11), "line 1 col 8: NUL byte in string literal"},
  };
  for (const auto& [sql, want] : cases) {
    auto tokens = TokenizeSql(sql);
    ASSERT_FALSE(tokens.ok()) << sql;
    EXPECT_EQ(tokens.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(tokens.status().message(), want);
  }
}

TEST(SqlLexerTest, EmptyInputHasNoTokens) {
  auto tokens = TokenizeSql("");
  ASSERT_TRUE(tokens.ok());
  EXPECT_TRUE(tokens->empty());
}

TEST(SqlLexerTest, LosslessOnRandomBytes) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab_1.'\"`[]$:?-*/ \n()<>=!|eE\x80\xff,;";
  int ok = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string sql;
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) sql.push_back(alphabet[rng() % alphabet.size()]);
    auto tokens = TokenizeSql(sql);
    if (!tokens.ok()) {
      EXPECT_EQ(tokens.status().code(), StatusCode::kInvalidArgument);
      continue;
    }
    ++ok;
    ASSERT_EQ(Concat(*tokens), sql);
    size_t offset = 0;
    for (const SqlToken& t : *tokens) {
      ASSERT_EQ(t.offset, offset);
      ASSERT_FALSE(t.text.empty());
      offset += t.text.size();
    }
  }
  EXPECT_GT(ok, 500);
}

}  // namespace
}  // namespace gaggle
