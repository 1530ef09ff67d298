# Writes OUTPUT, a C++ file with every file under WEB_DIR (the portal's and the console's pages,
# styles and scripts) as bytes, with its URL path ("/portal/app.js" for WEB_DIR/portal/app.js),
# media type and ETag (a SHA-256 prefix of the content), so that an installed binary serves the
# pages without a source tree (simulator/web/static_assets.h).
file(GLOB_RECURSE FILES RELATIVE ${WEB_DIR} ${WEB_DIR}/*)
list(SORT FILES)
set(ARRAYS "")
set(TABLE "")
set(INDEX 0)
foreach(FILE ${FILES})
  get_filename_component(EXT ${FILE} LAST_EXT)
  string(TOLOWER "${EXT}" EXT)
  if(EXT STREQUAL ".html")
    set(TYPE "text/html; charset=utf-8")
  elseif(EXT STREQUAL ".css")
    set(TYPE "text/css; charset=utf-8")
  elseif(EXT STREQUAL ".js" OR EXT STREQUAL ".mjs")
    set(TYPE "text/javascript; charset=utf-8")
  elseif(EXT STREQUAL ".json")
    set(TYPE "application/json")
  elseif(EXT STREQUAL ".svg")
    set(TYPE "image/svg+xml")
  elseif(EXT STREQUAL ".png")
    set(TYPE "image/png")
  elseif(EXT STREQUAL ".txt")
    set(TYPE "text/plain; charset=utf-8")
  else()
    message(FATAL_ERROR "${WEB_DIR}/${FILE}:1:1: no media type for the extension '${EXT}' "
                        "(cmake/embed_assets.cmake knows .html .css .js .mjs .json .svg .png .txt)")
  endif()
  file(READ ${WEB_DIR}/${FILE} HEX HEX)
  file(SHA256 ${WEB_DIR}/${FILE} HASH)
  string(SUBSTRING "${HASH}" 0 20 HASH)
  string(LENGTH "${HEX}" HEX_LENGTH)
  math(EXPR SIZE "${HEX_LENGTH} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${HEX}")
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){20})" "\\1\n" BYTES "${BYTES}")
  # A zero-length array is not C++: an empty file gets one byte, and its size says 0.
  if(SIZE EQUAL 0)
    set(BYTES "0")
  endif()
  string(APPEND ARRAYS "const unsigned char kAsset${INDEX}[] = {\n${BYTES}};\n")
  string(APPEND TABLE "    {\"/${FILE}\", \"${TYPE}\", \"\\\"${HASH}\\\"\", "
                      "{reinterpret_cast<const char*>(kAsset${INDEX}), ${SIZE}}},\n")
  math(EXPR INDEX "${INDEX} + 1")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from ${WEB_DIR} by cmake/embed_assets.cmake. Do not edit.\n"
  "#include \"web/static_assets.h\"\n\nnamespace pistesim {\n\nnamespace {\n\n${ARRAYS}\n"
  "}  // namespace\n\nconst std::vector<EmbeddedAsset>& embedded_assets() {\n"
  "  static const std::vector<EmbeddedAsset> assets = {\n${TABLE}  };\n  return assets;\n}\n\n"
  "}  // namespace pistesim\n")
# Unchanged content keeps the old file, so nothing recompiles.
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
