// Numbered schema migrations, compiled in from src/store/migrations/<backend>/.
#pragma once

#include <vector>

namespace vantage::store {

struct Migration {
  int number;        // from the file name: 0001_init.sql -> 1
  const char* name;  // file name without extension
  const char* sql;   // one or more statements
};

const std::vector<Migration>& sqliteMigrations();
const std::vector<Migration>& postgresMigrations();

}  // namespace vantage::store
