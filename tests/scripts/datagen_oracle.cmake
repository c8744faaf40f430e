# Oracle test against the shared reference generator's cx_metrics_daily rollup
# (tests/scripts/README.md). Skips (77) when ../shared/datagen/gen.py is absent.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME datagen_oracle
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/scripts/datagen_oracle.py
      --tessera $<TARGET_FILE:tessera>
      --gen-py ${CMAKE_SOURCE_DIR}/../shared/datagen/gen.py)
  set_tests_properties(datagen_oracle PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 900 LABELS "script")
endif()
