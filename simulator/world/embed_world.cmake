# Writes OUTPUT, a C++ file holding INPUT's text, so the binary carries its default world.
file(READ ${INPUT} CONTENT)
string(FIND "${CONTENT}" ")PISTESIM_WORLD\"" CLASH)
if(NOT CLASH EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )PISTESIM_WORLD\"")
endif()
file(WRITE ${OUTPUT} "// Generated from fixtures/piste-default.toml by embed_world.cmake. Do not edit.\n"
  "#include <string_view>\nnamespace pistesim {\nextern const std::string_view kEmbeddedDefaultWorld;\n"
  "const std::string_view kEmbeddedDefaultWorld = R\"PISTESIM_WORLD(${CONTENT})PISTESIM_WORLD\";\n}\n")
