// What PostgreSQL needs said differently from the backend-neutral SQL of
// sql.h, in one place: placeholders, and reading its unique-violation reports
// back into the `table.column` form both backends give.
#pragma once

#include <string>
#include <string_view>

namespace vantage::store::postgres {

struct RewrittenSql {
  std::string sql;     // `?` placeholders numbered `$1..$n` in order
  int parameters = 0;  // n
};

// Rewrites every `?` that stands as a placeholder into `$1`, `$2`, ... A `?`
// inside a string literal ('...', E'...' with backslash escapes, $tag$...$tag$),
// a quoted identifier ("...") or a comment (-- and nested /* */) is left
// alone. So are PostgreSQL's own `?` operators, which have no meaning in
// statements written for both engines: every other `?` is a placeholder.
RewrittenSql RewritePlaceholders(std::string_view sql);

// The `field` of a unique_violation error: "table.column", or
// "table.a, table.b" for a key over several columns, the form SQLite reports.
// Read from the error's DETAIL ("Key (a, b)=(...) already exists.") and,
// when that is missing or localised, from PostgreSQL's default constraint
// name ("accounts_username_key"). Empty when neither says.
std::string UniqueViolationField(std::string_view table, std::string_view constraint,
                                 std::string_view detail);

}  // namespace vantage::store::postgres
