// PostgreSQL state locations: which --state strings name a PostgreSQL store
// ("postgres://..." or "postgresql://...", libpq's URI syntax) and how such a URL is
// shown in messages and logs — with its password removed, from the user information
// ("user:secret@host") and from the query ("?password=secret"), so a Status or a log line
// never carries a secret. Everything else of the URL is kept as written.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace gaggle {

// True when `location` starts with "postgres://" or "postgresql://" (case-sensitive, as
// libpq reads it).
bool IsPostgresUrl(std::string_view location);

// `url` without its password: "postgres://u:pw@h/db?password=x&sslmode=require" becomes
// "postgres://u@h/db?sslmode=require". Any input is accepted (a string that is not a
// URL comes back unchanged).
std::string RedactPostgresUrl(std::string_view url);

// `message` with every password that `url` holds (as written in it) replaced by "***":
// for messages from libpq, which should not repeat a password but are not ours.
std::string ScrubPostgresPasswords(std::string message, std::string_view url);

}  // namespace gaggle
