# embed_migrations(BACKEND DIR OUT): compiles every NNNN_name.sql file in DIR
# into a C++ array `vantage::store::k<Backend>Migrations`, in number order.
function(embed_migrations backend dir out)
  file(GLOB files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT files)
  set(body "")
  foreach(f ${files})
    get_filename_component(name ${f} NAME_WE)
    string(REGEX MATCH "^[0-9]+" number ${name})
    math(EXPR number "${number} + 0")
    file(READ ${f} sql)
    string(APPEND body "  {${number}, \"${name}\", R\"vantage_sql(${sql})vantage_sql\"},\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${f})
  endforeach()
  file(WRITE ${out}.tmp
"// Generated from src/store/migrations/${backend}; do not edit.\n#include \"store/migrations.h\"\n\nnamespace vantage::store {\nconst std::vector<Migration>& ${backend}Migrations() {\n  static const std::vector<Migration> list = {\n${body}  };\n  return list;\n}\n}  // namespace vantage::store\n")
  configure_file(${out}.tmp ${out} COPYONLY)
endfunction()
