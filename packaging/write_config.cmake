# cmake -DPROGRAM=<binary> -DOUT=<file> [-DENABLE=<key = value>[|<key = value>...]] -P write_config.cmake
# The default config file a package installs: the program's own
# --config-template (every key, commented out, with its default), with the
# lines for ENABLE's keys set, when given.
execute_process(COMMAND ${PROGRAM} --config-template OUTPUT_VARIABLE text RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --config-template failed (${rc})")
endif()
string(REPLACE "|" ";" settings "${ENABLE}")
foreach(setting IN LISTS settings)
  string(REGEX MATCH "^[a-z_]+" key "${setting}")
  string(REGEX REPLACE "\n#${key} = [^\n]*\n" "\n${setting}\n" text "${text}")
endforeach()
file(WRITE ${OUT} "${text}")
