# Writes OUTPUT, a C++ file defining `const std::string_view pistesim::SYMBOL` with INPUT's text,
# so the binary carries the file (the default world, the control API's OpenAPI document) and
# needs no source tree. DELIMITER is the raw string's delimiter; the file may not contain it.
file(READ ${INPUT} CONTENT)
string(FIND "${CONTENT}" ")${DELIMITER}\"" CLASH)
if(NOT CLASH EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )${DELIMITER}\"")
endif()
file(WRITE ${OUTPUT} "// Generated from ${INPUT} by cmake/embed_text.cmake. Do not edit.\n"
  "#include <string_view>\nnamespace pistesim {\nextern const std::string_view ${SYMBOL};\n"
  "const std::string_view ${SYMBOL} = R\"${DELIMITER}(${CONTENT})${DELIMITER}\";\n}\n")
