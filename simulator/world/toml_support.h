// Words for toml++ node types in error messages ("expected a string, found an integer"), shared
// by the world loader and the scenario loader so both speak alike.
#pragma once

#include <toml++/toml.h>

namespace pistesim {

inline const char* toml_type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date/time";
  }
}

}  // namespace pistesim
