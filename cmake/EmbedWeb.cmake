# embed_web(DIR OUT): compiles every file of the web app in DIR (text files:
# .html .js .css .svg .json, in any subfolder) into a C++ table
# `vantage::api::EmbeddedWebFiles()`, so the one binary serves the app. Each
# file carries the SHA-1 of its bytes (its ETag) and the table a version, the
# SHA-1 of all of them, which names the asset URLs (/app/VERSION/...).
function(embed_web dir out)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS
       ${dir}/*.html ${dir}/*.js ${dir}/*.css ${dir}/*.svg ${dir}/*.json)
  list(SORT files)
  set(body "")
  set(hashes "")
  foreach(f ${files})
    file(RELATIVE_PATH name ${dir} ${f})
    file(READ ${f} text)
    string(SHA1 hash "${text}")
    string(APPEND hashes "${name}:${hash}\n")
    string(FIND "${text}" ")vantage_web\"" clash)
    if(NOT clash EQUAL -1)
      message(FATAL_ERROR "${f} contains the raw-string delimiter )vantage_web\"")
    endif()
    string(APPEND body "    {\"${name}\", R\"vantage_web(${text})vantage_web\", \"${hash}\"},\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${f})
  endforeach()
  string(SHA1 version "${hashes}")
  string(SUBSTRING ${version} 0 12 version)
  file(WRITE ${out}.tmp
"// Generated from web/ by cmake/EmbedWeb.cmake; do not edit.\n#include \"api/web_files.h\"\n\nnamespace vantage::api {\nconst EmbeddedWeb& EmbeddedWebFiles() {\n  static const EmbeddedWeb web = {\"${version}\", {\n${body}  }};\n  return web;\n}\n}  // namespace vantage::api\n")
  configure_file(${out}.tmp ${out} COPYONLY)
endfunction()
