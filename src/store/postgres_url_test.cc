// PostgreSQL URLs: which --state strings select PostgreSQL, and how a URL is shown
// without its password.
#include "store/postgres_url.h"

#include <gtest/gtest.h>

namespace gaggle {
namespace {

TEST(PostgresUrl, SchemesSelectPostgres) {
  EXPECT_TRUE(IsPostgresUrl("postgres://h/db"));
  EXPECT_TRUE(IsPostgresUrl("postgresql:///db?host=/tmp"));
  EXPECT_FALSE(IsPostgresUrl("./gaggle.db"));
  EXPECT_FALSE(IsPostgresUrl("POSTGRES://h/db"));
  EXPECT_FALSE(IsPostgresUrl("file:///x/postgres://h"));
  EXPECT_FALSE(IsPostgresUrl(""));
}

struct RedactCase {
  const char* url;
  const char* shown;
};

TEST(PostgresUrl, RedactRemovesEveryPassword) {
  const RedactCase cases[] = {
      {"postgres://alice:s3cret@db:5432/gaggle", "postgres://alice@db:5432/gaggle"},
      {"postgres://alice@db/gaggle", "postgres://alice@db/gaggle"},
      {"postgres://db/gaggle", "postgres://db/gaggle"},
      {"postgres://alice:p@ss@db/gaggle", "postgres://alice@db/gaggle"},  // the last '@' ends the user info
      {"postgres://:pw@db", "postgres://@db"},
      {"postgresql://u:pw@h/d?sslmode=require&password=pw2", "postgresql://u@h/d?sslmode=require"},
      {"postgresql://h/d?password=pw2&sslmode=require", "postgresql://h/d?sslmode=require"},
      {"postgresql://h/d?password=pw2", "postgresql://h/d"},
      {"postgresql://h?password=x#frag", "postgresql://h#frag"},
      {"postgresql://u:pw@h1,h2:5433/d", "postgresql://u@h1,h2:5433/d"},
      {"./gaggle.db", "./gaggle.db"},
      {"", ""},
  };
  for (const RedactCase& c : cases) EXPECT_EQ(RedactPostgresUrl(c.url), c.shown) << c.url;
}

TEST(PostgresUrl, ScrubReplacesPasswordsInForeignMessages) {
  const std::string url = "postgres://u:topsecret@h/d?password=other";
  EXPECT_EQ(ScrubPostgresPasswords("auth failed for topsecret and other", url), "auth failed for *** and ***");
  EXPECT_EQ(ScrubPostgresPasswords("nothing here", "postgres://h/d"), "nothing here");
}

}  // namespace
}  // namespace gaggle
