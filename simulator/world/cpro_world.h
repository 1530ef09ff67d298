// The Chorus Pro part of a world file (docs/world-format.md, [[chorus_pro_structures]]): its
// structures, their « raccordements PISTE » and technical accounts (003 §2.B, §3.B; 004), read
// and checked against the rest of the world (a raccordement names a PISTE application of the
// matching channel; a technical account needs a raccordement on its environment).
#pragma once

#include <string>

#include <toml++/toml.h>

#include "toml/toml_reader.h"
#include "world/world.h"

namespace pistesim {

// Reads root["chorus_pro_structures"] into w.cpro_structures, reporting each mistake.
void read_cpro_structures(TomlReader& r, const toml::table& root, World& w);

// The checks across entities; run once the whole world is read.
void check_cpro_references(TomlReader& r, const toml::table& root, const World& w);

// Why a raccordement on `environment` cannot name `app` (nullptr: no application has that name);
// "" when it can. The wording of Chorus Pro's form where the seeds give it (« il est impossible
// de saisir une application SANDBOX », 003 §3.B).
std::string cpro_application_refusal(const Application* app, const std::string& name,
                                     Channel environment);

// 14 digits.
bool is_siret(std::string_view s);

}  // namespace pistesim
