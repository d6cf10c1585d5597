#include "store/copy_database.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

namespace vantage::store {

namespace {

constexpr int64_t kBatchRows = 500;

constexpr Statement kListTables{
    "copy_list_tables",
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
    "AND name <> 'schema_migrations' ORDER BY name"};
constexpr Statement kSchemaVersion{"copy_schema_version",
                                   "SELECT COALESCE(MAX(number), 0) FROM schema_migrations"};

// Statements built at run time for one table; they own their text, and their
// names are unique per table so prepared-statement caches keep them apart.
struct DynamicStatement {
  std::string name;
  std::string sql;
  Statement get() const { return Statement{name.c_str(), sql.c_str()}; }
};

bool IsPlainIdentifier(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<int64_t> SchemaVersionOf(Database& db) {
  int64_t version = 0;
  VANTAGE_TRY(db.Read([&](Connection& c) -> Status {
    auto row = c.QueryOne(kSchemaVersion, {});
    if (!row) return std::move(row).error();
    if (*row) version = (*row)->Int(0);
    return Ok();
  }));
  return version;
}

Result<std::vector<std::string>> ColumnsOn(Connection& c, const std::string& table) {
  if (!IsPlainIdentifier(table)) return Error::Invalid("table", "unexpected table name " + table);
  DynamicStatement info{"copy_columns_" + table, "PRAGMA table_info(" + table + ")"};
  auto rows = c.Query(info.get(), {});
  if (!rows) return std::move(rows).error();
  std::vector<std::string> columns;
  for (const Row& row : *rows) columns.push_back(row.Text(1));
  return columns;
}

// The primary key columns of a WITHOUT ROWID table, in key order; empty for
// a table with a rowid.
Result<std::vector<std::string>> KeyColumnsOn(Connection& c, const std::string& table) {
  DynamicStatement sql{"copy_table_sql_" + table,
                       "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'"};
  auto row = c.QueryOne(sql.get(), {});
  if (!row) return std::move(row).error();
  std::vector<std::string> key;
  if (!*row || (*row)->Text(0).find("WITHOUT ROWID") == std::string::npos) return key;
  DynamicStatement info{"copy_key_" + table, "PRAGMA table_info(" + table + ")"};
  auto rows = c.Query(info.get(), {});
  if (!rows) return std::move(rows).error();
  std::vector<std::pair<int64_t, std::string>> ranked;
  for (const Row& r : *rows)
    if (r.Int(5) > 0) ranked.emplace_back(r.Int(5), r.Text(1));
  std::sort(ranked.begin(), ranked.end());
  for (auto& [rank, name] : ranked) key.push_back(std::move(name));
  return key;
}

}  // namespace

Result<std::vector<std::string>> SqliteColumns(Database& sqlite, const std::string& table) {
  std::vector<std::string> columns;
  VANTAGE_TRY(sqlite.Read([&](Connection& c) -> Status {
    auto found = ColumnsOn(c, table);
    if (!found) return std::move(found).error();
    columns = std::move(*found);
    return Ok();
  }));
  return columns;
}

Result<std::vector<std::string>> SqliteTablesInDependencyOrder(Database& sqlite) {
  std::vector<std::string> tables;
  std::map<std::string, std::set<std::string>> parents;
  VANTAGE_TRY(sqlite.Read([&](Connection& c) -> Status {
    tables.clear();
    parents.clear();
    auto rows = c.Query(kListTables, {});
    if (!rows) return std::move(rows).error();
    for (const Row& row : *rows) tables.push_back(row.Text(0));
    for (const std::string& table : tables) {
      if (!IsPlainIdentifier(table)) return Error::Internal("unexpected table name " + table);
      DynamicStatement fks{"copy_fks_" + table, "PRAGMA foreign_key_list(" + table + ")"};
      auto keys = c.Query(fks.get(), {});
      if (!keys) return std::move(keys).error();
      for (const Row& key : *keys)
        if (key.Text(2) != table) parents[table].insert(key.Text(2));
    }
    return Ok();
  }));
  // Parents first: repeatedly take the tables whose parents are all placed.
  std::vector<std::string> ordered;
  std::set<std::string> placed;
  while (ordered.size() < tables.size()) {
    bool progressed = false;
    for (const std::string& table : tables) {
      if (placed.count(table)) continue;
      const auto& needs = parents[table];
      if (std::all_of(needs.begin(), needs.end(), [&](const std::string& p) { return placed.count(p) > 0; })) {
        ordered.push_back(table);
        placed.insert(table);
        progressed = true;
      }
    }
    if (!progressed) return Error::Internal("foreign keys between tables form a cycle");
  }
  return ordered;
}

Status CopySqliteDatabase(Database& from, Database& to,
                          const std::function<void(const CopyProgress&)>& progress) {
  if (from.engine() != Engine::kSqlite) return Error::Invalid("from", "the source must be a SQLite database");
  auto from_version = SchemaVersionOf(from);
  if (!from_version) return std::move(from_version).error();
  auto to_version = SchemaVersionOf(to);
  if (!to_version) return std::move(to_version).error();
  if (*from_version != *to_version)
    return Error::Invalid("to", "the databases are at different schema versions (" +
                                    std::to_string(*from_version) + " and " +
                                    std::to_string(*to_version) + "); upgrade both first");

  auto tables = SqliteTablesInDependencyOrder(from);
  if (!tables) return std::move(tables).error();

  for (const std::string& table : *tables) {
    DynamicStatement count{"copy_count_" + table, "SELECT COUNT(*) FROM " + table};
    VANTAGE_TRY(to.Read([&](Connection& c) -> Status {
      auto row = c.QueryOne(count.get(), {});
      if (!row) return std::move(row).error();
      if (*row && (*row)->Int(0) > 0)
        return Error::Invalid("to", "the destination is not empty: table " + table + " has rows");
      return Ok();
    }));
  }

  // One snapshot of the source for the whole copy; batches of rows are
  // written to the destination in transactions of their own.
  return from.Read([&](Connection& source) -> Status {
    for (const std::string& table : *tables) {
      auto columns = ColumnsOn(source, table);
      if (!columns) return std::move(columns).error();
      std::string list, marks;
      for (const std::string& column : *columns) {
        if (!IsPlainIdentifier(column)) return Error::Internal("unexpected column name " + column);
        if (!list.empty()) list += ", ", marks += ", ";
        list += column;
        marks += "?";
      }
      // Batches follow the rowid, or the primary key of a WITHOUT ROWID table.
      auto key = KeyColumnsOn(source, table);
      if (!key) return std::move(key).error();
      std::string order = key->empty() ? "rowid" : "", after_marks;
      for (const std::string& column : *key) {
        if (!IsPlainIdentifier(column)) return Error::Internal("unexpected column name " + column);
        order += (after_marks.empty() ? "" : ", ") + column;
        after_marks += after_marks.empty() ? "?" : ", ?";
      }
      if (key->empty()) after_marks = "?";
      std::string select_list = key->empty() ? "rowid, " + list : list;
      size_t skip = key->empty() ? 1 : 0;  // the rowid column
      DynamicStatement first{"copy_first_" + table, "SELECT " + select_list + " FROM " + table + " ORDER BY " +
                                                        order + " LIMIT " + std::to_string(kBatchRows)};
      DynamicStatement next{"copy_next_" + table,
                            "SELECT " + select_list + " FROM " + table + " WHERE (" + order + ") > (" +
                                after_marks + ") ORDER BY " + order + " LIMIT " + std::to_string(kBatchRows)};
      DynamicStatement insert{"copy_insert_" + table,
                              "INSERT INTO " + table + " (" + list + ") VALUES (" + marks + ")"};
      // Where the key columns are in a selected row.
      std::vector<size_t> key_at;
      if (key->empty()) key_at.push_back(0);
      for (const std::string& column : *key)
        key_at.push_back(static_cast<size_t>(std::find(columns->begin(), columns->end(), column) - columns->begin()));
      std::vector<Value> after;
      int64_t copied = 0;
      for (;;) {
        auto rows = after.empty() ? source.Query(first.get(), {}) : source.Query(next.get(), after);
        if (!rows) return std::move(rows).error();
        if (rows->empty()) break;
        VANTAGE_TRY(to.Write([&](Connection& dest) -> Status {
          std::vector<Value> args(columns->size());
          for (const Row& row : *rows) {
            for (size_t i = 0; i < columns->size(); ++i) args[i] = row.at(i + skip);
            auto inserted = dest.Exec(insert.get(), args);
            if (!inserted) return std::move(inserted).error();
          }
          return Ok();
        }));
        after.clear();
        for (size_t at : key_at) after.push_back(rows->back().at(at));
        copied += static_cast<int64_t>(rows->size());
      }
      if (progress) progress(CopyProgress{table, copied});
    }
    return Ok();
  });
}

}  // namespace vantage::store
