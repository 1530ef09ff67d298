# Writes OUTPUT, a C++ file holding INPUT's text (docs/openapi.json), so the binary serves the
# control API's description without the source tree.
file(READ ${INPUT} CONTENT)
string(FIND "${CONTENT}" ")PISTESIM_OPENAPI\"" CLASH)
if(NOT CLASH EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )PISTESIM_OPENAPI\"")
endif()
file(WRITE ${OUTPUT} "// Generated from docs/openapi.json by embed_openapi.cmake. Do not edit.\n"
  "#include <string_view>\nnamespace pistesim {\nextern const std::string_view kEmbeddedOpenApi;\n"
  "const std::string_view kEmbeddedOpenApi = R\"PISTESIM_OPENAPI(${CONTENT})PISTESIM_OPENAPI\";\n}\n")
