// How integrations look in output: the JSON contract of SPEC §4 (extend it,
// never rename or drop fields) and the human table.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <vector>

#include "db/database.hpp"
#include "store/integrations.hpp"

namespace calsync {

nlohmann::json integration_json(Database& db, const Integration& i);
void print_integration_table(std::ostream& out, const std::vector<Integration>& list);
void print_integration_detail(std::ostream& out, const nlohmann::json& j);

}  // namespace calsync
