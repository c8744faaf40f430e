# Differential test against PostgreSQL (tests/scripts/README.md). Skips (77)
# when no PostgreSQL server binaries are installed under /usr/lib/postgresql.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME pg_compare
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/scripts/pg_compare.py
      --tessera $<TARGET_FILE:tessera>
      --queries ${CMAKE_CURRENT_SOURCE_DIR}/scripts/queries.txt)
  set_tests_properties(pg_compare PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 LABELS "script")
endif()
